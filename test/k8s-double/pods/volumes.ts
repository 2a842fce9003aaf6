/**
 * Pod volumes as host directories bind-mounted into the containers (the Docker engine is
 * local): emptyDir (mode 0777, shared by init and main containers), secret and configMap
 * files, PVCs (a directory per claim that outlives pods), hostPath, and the service account
 * token, CA and namespace at the in-cluster path.
 */
import { chmod, chown, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, normalize, relative } from 'node:path';
import type { Container, PodSpec } from '../api/kinds/pod-spec.js';
import type { KubeObject } from '../types.js';

export const SERVICE_ACCOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface VolumeSource {
  secret(name: string): Record<string, string> | undefined;
  configMap(name: string): { data?: Record<string, string>; binaryData?: Record<string, string> } | undefined;
  /** The claim's directory when the PVC exists and is not being deleted. */
  claimDir(name: string): string | undefined;
  serviceAccount: ServiceAccountMount;
}

/** The CA, and the pod's service account token (or why it cannot be had). */
export interface ServiceAccountMount {
  caPem: string;
  tokenFor(pod: KubeObject): { token: string } | { error: string };
}

export type VolumesResult =
  | { ok: true; dirs: Map<string, string> }
  | { ok: false; volume: string; message: string };

/**
 * The kubelet's SetVolumeOwnership (kubernetes v1.31 pkg/volume/volume_linux.go) for secret,
 * configMap and projected volumes: with a pod `fsGroup`, every file's group is the fsGroup, so a
 * mode like 0440 is readable by the pod's (non-root) user through its supplementary group.
 */
async function writeFiles(
  dir: string,
  files: [string, Buffer][],
  mode: number,
  fsGroup?: number,
): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true, mode: 0o755 });
  for (const [path, content] of files) {
    const target = join(dir, normalize(path).replace(/^(\.\.(\/|$))+/, ''));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content, { mode });
    await chmod(target, mode);
    if (fsGroup !== undefined) await chown(target, 0, fsGroup);
  }
}

function selectItems(
  data: Record<string, Buffer>,
  items: { key: string; path: string; mode?: number }[] | undefined,
): [string, Buffer][] | string {
  if (!items) return Object.entries(data);
  const out: [string, Buffer][] = [];
  for (const it of items) {
    const v = data[it.key];
    if (v === undefined) return it.key;
    out.push([it.path, v]);
  }
  return out;
}

/** Prepares every volume of the pod under `podDir`; a missing source fails like MountVolume.SetUp. */
export async function prepareVolumes(
  pod: KubeObject,
  podDir: string,
  source: VolumeSource,
): Promise<VolumesResult> {
  const spec = pod.spec as PodSpec;
  const fsGroup = spec.securityContext?.fsGroup;
  const dirs = new Map<string, string>();
  for (const v of spec.volumes ?? []) {
    const dir = join(podDir, 'volumes', v.name);
    if (v.emptyDir) {
      await mkdir(dir, { recursive: true });
      await chmod(dir, 0o777);
      dirs.set(v.name, dir);
    } else if (v.secret) {
      const name = v.secret.secretName ?? '';
      const data = source.secret(name);
      if (!data) {
        if (v.secret.optional) {
          await writeFiles(dir, [], 0o644);
          dirs.set(v.name, dir);
          continue;
        }
        return { ok: false, volume: v.name, message: `secret "${name}" not found` };
      }
      const decoded = Object.fromEntries(Object.entries(data).map(([k, b]) => [k, Buffer.from(b, 'base64')]));
      const files = selectItems(decoded, v.secret.items);
      if (typeof files === 'string')
        return { ok: false, volume: v.name, message: `references non-existent secret key: ${files}` };
      await writeFiles(dir, files, v.secret.defaultMode ?? 0o644, fsGroup);
      dirs.set(v.name, dir);
    } else if (v.configMap) {
      const name = v.configMap.name ?? '';
      const cm = source.configMap(name);
      if (!cm) {
        if (v.configMap.optional) {
          await writeFiles(dir, [], 0o644);
          dirs.set(v.name, dir);
          continue;
        }
        return { ok: false, volume: v.name, message: `configmap "${name}" not found` };
      }
      const decoded: Record<string, Buffer> = {};
      for (const [k, s] of Object.entries(cm.data ?? {})) decoded[k] = Buffer.from(s);
      for (const [k, b] of Object.entries(cm.binaryData ?? {})) decoded[k] = Buffer.from(b, 'base64');
      const files = selectItems(decoded, v.configMap.items);
      if (typeof files === 'string')
        return {
          ok: false,
          volume: v.name,
          message: `configmap references non-existent config key: ${files}`,
        };
      await writeFiles(dir, files, v.configMap.defaultMode ?? 0o644, fsGroup);
      dirs.set(v.name, dir);
    } else if (v.persistentVolumeClaim) {
      const claim = source.claimDir(v.persistentVolumeClaim.claimName);
      if (!claim)
        return {
          ok: false,
          volume: v.name,
          message: `persistentvolumeclaim "${v.persistentVolumeClaim.claimName}" not found`,
        };
      await mkdir(claim, { recursive: true });
      await chmod(claim, 0o777);
      dirs.set(v.name, claim);
    } else if (v.hostPath) {
      if (v.hostPath.type === 'DirectoryOrCreate') await mkdir(v.hostPath.path, { recursive: true });
      dirs.set(v.name, v.hostPath.path);
    } else {
      return {
        ok: false,
        volume: v.name,
        message:
          'volume type not supported by the k8s double (emptyDir, secret, configMap, persistentVolumeClaim and hostPath are)',
      };
    }
  }
  if (spec.automountServiceAccountToken !== false) {
    const issued = source.serviceAccount.tokenFor(pod);
    if ('error' in issued) return { ok: false, volume: 'kube-api-access', message: issued.error };
    const saDir = join(podDir, 'serviceaccount');
    await writeFiles(
      saDir,
      [
        ['token', Buffer.from(issued.token)],
        ['ca.crt', Buffer.from(source.serviceAccount.caPem)],
        ['namespace', Buffer.from(pod.metadata.namespace ?? 'default')],
      ],
      0o644,
    );
    dirs.set('\0serviceaccount', saDir);
  }
  return { ok: true, dirs };
}

/** Docker `Binds` for one container's volumeMounts (subPath directories created on demand). */
export async function bindsFor(
  c: Container,
  dirs: Map<string, string>,
  readOnlyVolumes: Set<string>,
): Promise<string[]> {
  const binds: string[] = [];
  for (const m of c.volumeMounts ?? []) {
    let host = dirs.get(m.name);
    if (!host) continue;
    if (m.subPath) {
      const root = host;
      host = join(host, normalize(m.subPath).replace(/^(\.\.(\/|$))+/, ''));
      // The kubelet creates a missing subPath with the volume root's mode, so that a pod with an
      // fsGroup can write it (kubernetes v1.31 pkg/kubelet/kubelet_pods.go makeMounts:
      // `perm := fileinfo.Mode()` of the volume path, then `subpather.SafeMakeDir(subPath,
      // volumePath, perm)`); mkdir alone would leave it 0755 by the umask.
      const perm = (await stat(root)).mode & 0o7777;
      let dir = root;
      for (const part of relative(root, host)
        .split('/')
        .filter((p) => p !== '')) {
        dir = join(dir, part);
        if (await stat(dir).catch(() => undefined)) continue;
        try {
          await mkdir(dir);
        } catch (err) {
          // Another container of the pod made it meanwhile.
          if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
          throw err;
        }
        await chmod(dir, perm);
      }
    }
    const ro = m.readOnly || readOnlyVolumes.has(m.name);
    binds.push(`${host}:${m.mountPath}${ro ? ':ro' : ''}`);
  }
  const sa = dirs.get('\0serviceaccount');
  const explicit = (c.volumeMounts ?? []).some((m) => m.mountPath === SERVICE_ACCOUNT_PATH);
  if (sa && !explicit) binds.push(`${sa}:${SERVICE_ACCOUNT_PATH}:ro`);
  // The kubelet-managed /etc/hosts (hosts-file.ts), unless the container mounts its own there
  // (the Docker engine then leaves the file alone too).
  const hosts = dirs.get('\0hosts');
  if (hosts && !(c.volumeMounts ?? []).some((m) => m.mountPath === '/etc/hosts'))
    binds.push(`${hosts}:/etc/hosts:ro`);
  return binds;
}

export function readOnlyVolumeNames(spec: PodSpec): Set<string> {
  return new Set((spec.volumes ?? []).filter((v) => v.secret || v.configMap).map((v) => v.name));
}
