/**
 * Runs `ferry-runner build` with the buildah builder in a container on the real engine, with
 * exactly a build pod's sandbox (docs/release.md, "The build pod"): `baseline`: root, capabilities
 * dropped but SETUID/SETGID/SETFCAP; `restricted`: uid 10001, no capability, a read-only root with
 * /tmp and /var/tmp on volumes. Both: no_new_privs, the shipped seccomp profile of that sandbox,
 * a volume for buildah's storage, the registry credential as a read-only auth.json. Nothing
 * privileged, no socket.
 */
import { chmod, chown, copyFile, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { authFileJson, BUILDAH_AUTH_FILE, BuildahSandbox } from '@ferry/runner';
import { readResult } from '@ferry/shared';
import type Docker from 'dockerode';
import { type CommandRun, registry, removeDir, workspace } from './release-support.js';

export const SECCOMP_PROFILE = fileURLToPath(
  new URL('../../deploy/seccomp/ferry-build.json', import.meta.url),
);
export const ROOTLESS_SECCOMP_PROFILE = fileURLToPath(
  new URL('../../deploy/seccomp/ferry-build-rootless.json', import.meta.url),
);

/** The runner pods' uid (executor.kubernetes.runAsUser's default, the runner image's USER). */
const RESTRICTED_UID = 10001;

/** Installs both shipped build profiles in a node's seccomp root, as docs/release.md tells operators. */
export async function installBuildSeccompProfiles(seccompRoot: string): Promise<void> {
  for (const profile of [SECCOMP_PROFILE, ROOTLESS_SECCOMP_PROFILE])
    await copyFile(profile, join(seccompRoot, basename(profile)));
}

/** The test registry's copy of a local image (buildah pulls bases from a registry, never the engine). */
export async function baseInRegistry(docker: Docker, local: string): Promise<string> {
  const remote = `${registry.address}/${local}`;
  const [repo, tag] = [remote.slice(0, remote.lastIndexOf(':')), remote.slice(remote.lastIndexOf(':') + 1)];
  await docker.getImage(local).tag({ repo, tag });
  const stream = await docker.getImage(remote).push({
    authconfig: { username: registry.username, password: registry.password, serveraddress: registry.address },
  });
  const messages: { error?: string }[] = await new Promise((resolve, reject) =>
    docker.modem.followProgress(stream, (err, out) => (err ? reject(err) : resolve(out))),
  );
  const failed = messages.find((m) => m.error !== undefined);
  if (failed) throw new Error(`pushing ${remote}: ${failed.error}`);
  return remote;
}

export interface SandboxRun extends CommandRun {
  container: string;
}

/**
 * `ferry-runner build --dir /workspace` in the runner image with the build sandbox. `onStart` gets
 * the container (to stop it mid-build); the container and its storage volume are removed after.
 */
export async function runSandboxedBuild(
  docker: Docker,
  image: string,
  ws: string,
  env: Record<string, string>,
  opts: {
    password?: string;
    onStart?: (c: Docker.Container) => Promise<void>;
    /** A host directory as the project's build cache (the claim's sub-path in a build pod). */
    cache?: { dir: string; slots: number; maxBytes: number };
    /** The build pod's sandbox (executor.kubernetes.buildSandbox); baseline unless told. */
    sandbox?: 'restricted' | 'baseline';
  } = {},
): Promise<SandboxRun> {
  const authDir = await workspace({
    [BuildahSandbox.authFileName]: authFileJson(
      registry.address,
      registry.username,
      opts.password ?? registry.password,
    ),
  });
  const rootless = opts.sandbox === 'restricted';
  const profile = await readFile(rootless ? ROOTLESS_SECCOMP_PROFILE : SECCOMP_PROFILE, 'utf8');
  // The pod's emptyDirs are 0777 directories on the node; the restricted step writes them as 10001.
  const scratch = rootless ? await emptyDirs(['storage', 'tmp', 'var-tmp']) : undefined;
  if (rootless) {
    // As in the pod: the clone's workspace is the step user's, the auth file 0440 to its fsGroup.
    await chmod(ws, 0o755);
    await chmod(authDir, 0o755);
    const authFile = join(authDir, BuildahSandbox.authFileName);
    await chown(authFile, 0, RESTRICTED_UID);
    await chmod(authFile, 0o440);
  }
  const container = await docker.createContainer({
    Image: image,
    Entrypoint: ['ferry-runner'],
    Cmd: ['build', '--dir', '/workspace'],
    Env: Object.entries({
      ...env,
      FERRY_BUILDER: 'buildah',
      REGISTRY_AUTH_FILE: BUILDAH_AUTH_FILE,
      ...(opts.cache === undefined
        ? {}
        : {
            FERRY_BUILD_CACHE_DIR: BuildahSandbox.cacheDir,
            FERRY_BUILD_CACHE_SLOTS: String(opts.cache.slots),
            FERRY_BUILD_CACHE_MAX_BYTES: String(opts.cache.maxBytes),
          }),
    }).map(([k, v]) => `${k}=${v}`),
    User: rootless ? `${RESTRICTED_UID}:${RESTRICTED_UID}` : '0:0',
    HostConfig: {
      NetworkMode: 'host',
      CapDrop: ['ALL'],
      ...(rootless ? { ReadonlyRootfs: true } : { CapAdd: [...BuildahSandbox.capabilities] }),
      SecurityOpt: ['no-new-privileges', `seccomp=${profile}`],
      Binds: [
        `${ws}:/workspace`,
        `${authDir}:${BuildahSandbox.authDir}:ro`,
        ...(opts.cache === undefined ? [] : [`${opts.cache.dir}:${BuildahSandbox.cacheDir}`]),
        ...(scratch === undefined
          ? []
          : [
              `${scratch.storage}:${BuildahSandbox.storageDir}`,
              `${scratch.tmp}:/tmp`,
              `${scratch['var-tmp']}:${BuildahSandbox.imageTmpDir}`,
            ]),
      ],
      ...(rootless ? {} : { Mounts: [{ Type: 'volume', Source: '', Target: BuildahSandbox.storageDir }] }),
    },
  });
  try {
    await container.start();
    if (opts.onStart) await opts.onStart(container);
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    const logs = (await container.logs({ stdout: true, stderr: false })) as Buffer;
    const errs = (await container.logs({ stdout: false, stderr: true })) as Buffer;
    const stdout = demux(logs);
    // Read as the server reads it: a line the contract's schemas refuse fails the test.
    const read = readResult(stdout, 'build');
    if (read.kind === 'invalid') throw new Error(`${read.error.message}\n${stdout}`);
    const result = read.kind === 'result' ? { ...read.result } : undefined;
    return { exit: StatusCode, stdout, stderr: demux(errs), result, container: container.id };
  } finally {
    await container.remove({ force: true, v: true }).catch(() => undefined);
    for (const dir of Object.values(scratch ?? {})) await removeDir(dir);
  }
}

/** Host directories as a kubelet makes emptyDirs: mode 0777. */
async function emptyDirs<K extends string>(names: K[]): Promise<Record<K, string>> {
  const dirs = {} as Record<K, string>;
  for (const name of names) {
    dirs[name] = await workspace({});
    await chmod(dirs[name], 0o777);
  }
  return dirs;
}

/** The text of a non-TTY container log (8-byte frame headers dropped). */
function demux(buf: Buffer): string {
  let out = '';
  for (let i = 0; i + 8 <= buf.length; ) {
    const size = buf.readUInt32BE(i + 4);
    out += buf.subarray(i + 8, i + 8 + size).toString('utf8');
    i += 8 + size;
  }
  return out;
}
