/**
 * What the operator writes around a shipped overlay (docs: "copy ferry.yaml into your own overlay,
 * change the values marked CHANGE"): their images and registry, their GitLab, Ferry's configuration
 * replaced, and the pull secret. Two things are for the Kubernetes double only, because its pods
 * share the host's network (docs/k8s-double.md): Ferry is told its pod's port through
 * `k8s-double/port-env`, and Redis listens on `$PORT` with a TCP readiness probe (the local Redis
 * image has no redis-cli).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';
import type { InstallImages } from './images.js';

export interface OverlayInput {
  root: string;
  overlay: 'single' | 'ha';
  images: InstallImages;
  serverImage?: string;
  gitlabUrl: string;
  registry: { address: string; username: string };
  pullSecret: string;
  /** Hosts runners may clone from besides GitLab's (`gitlab.cloneHosts`): the git server. */
  cloneHosts?: string[];
  /** `build.allowedBaseImages`: the base images the registry holds. */
  allowedBaseImages?: string[];
  /**
   * ha: the external Redis and PostgreSQL the operator names in their Secrets (nothing to patch);
   * the archive is PostgreSQL there (replicas share it), SQLite on the data volume in `single`.
   */
}

export function ferryConfig(input: OverlayInput): string {
  return stringify({
    server: { host: '0.0.0.0', port: 8080, publicUrl: 'http://ferry.ferry.svc', trustProxy: true },
    executor: {
      kind: 'kubernetes',
      kubernetes: {
        namespace: 'ferry-runners',
        serviceAccount: 'ferry-runner',
        runnerImage: input.images.runner,
        imagePullSecrets: [input.pullSecret],
        pendingTimeout: '2m',
      },
    },
    namespaceLabels: { 'pod-security.kubernetes.io/enforce': 'restricted' },
    gitlab: {
      url: input.gitlabUrl,
      token: { file: '/var/run/secrets/ferry/gitlab-token' },
      webhookSecret: { file: '/var/run/secrets/ferry/webhook-secret' },
      ...(input.cloneHosts !== undefined ? { cloneHosts: input.cloneHosts } : {}),
    },
    ...(input.allowedBaseImages !== undefined
      ? { build: { allowedBaseImages: input.allowedBaseImages } }
      : {}),
    registry: {
      endpoint: input.registry.address,
      username: input.registry.username,
      password: { file: '/var/run/secrets/ferry/registry-password' },
    },
    deploy: { kubeconfig: '/var/run/secrets/ferry-deployer/kubeconfig' },
    history:
      input.overlay === 'ha'
        ? { kind: 'postgres', postgres: { url: { file: '/var/run/secrets/ferry/history-postgres-url' } } }
        : { kind: 'sqlite', sqlite: { file: '/var/lib/ferry/history.sqlite' } },
    limits: { drainTimeout: '60s' },
    log: { level: 'info' },
  });
}

function kustomization(input: OverlayInput, base: string): string {
  const [serverName, serverTag] = splitImage(input.serverImage ?? input.images.server);
  const [redisName, redisTag] = splitImage(input.images.redis);
  const pull = [{ name: input.pullSecret }];
  const patches: unknown[] = [
    {
      // Every Ferry Deployment (`ferry`, and `ferry-api` in ha).
      target: { kind: 'Deployment', labelSelector: 'app.kubernetes.io/name=ferry' },
      patch: stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'any', namespace: 'ferry' },
        spec: {
          template: {
            metadata: { annotations: { 'k8s-double/port-env': 'FERRY_PORT' } },
            spec: { imagePullSecrets: pull },
          },
        },
      }),
    },
  ];
  if (input.overlay === 'single') {
    patches.push({
      target: { kind: 'StatefulSet', name: 'ferry-redis' },
      patch: stringify([
        {
          op: 'replace',
          path: '/spec/template/spec/containers/0/command/2',
          value:
            'umask 077 && printf \'requirepass "%s"\\n\' "$REDIS_PASSWORD" > /run/redis/auth.conf && exec redis-server /etc/redis/redis.conf --port "$PORT"',
        },
        {
          op: 'replace',
          path: '/spec/template/spec/containers/0/readinessProbe',
          value: { tcpSocket: { port: 'redis' }, periodSeconds: 1 },
        },
        { op: 'add', path: '/spec/template/spec/imagePullSecrets', value: pull },
      ]),
    });
  }
  return stringify({
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [base],
    images: [
      { name: 'ferry/server', newName: serverName, newTag: serverTag },
      { name: 'redis', newName: redisName, newTag: redisTag },
    ],
    configMapGenerator: [
      { name: 'ferry-config', namespace: 'ferry', behavior: 'replace', files: ['ferry.yaml'] },
    ],
    patches,
  });
}

function splitImage(ref: string): [string, string] {
  const at = ref.lastIndexOf(':');
  return [ref.slice(0, at), ref.slice(at + 1)];
}

/** Writes the operator's overlay into a new directory and returns it. */
export async function writeOverlay(input: OverlayInput, dir?: string): Promise<string> {
  const target = dir ?? (await mkdtemp(join(tmpdir(), `ferry-install-${input.overlay}-`)));
  const base = relative(target, join(input.root, 'deploy/kubernetes/overlays', input.overlay));
  await writeFile(join(target, 'kustomization.yaml'), kustomization(input, base));
  await writeFile(join(target, 'ferry.yaml'), ferryConfig(input));
  return target;
}
