import type { V1EnvVar, V1OwnerReference, V1Pod, V1Secret } from '@kubernetes/client-node';

export interface RunnerSecretInput {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  secretEnv: Readonly<Record<string, string>>;
  /** Secret files mounted into the step (the build's registry auth file), by key. */
  files?: Readonly<Record<string, string>>;
}

/** The runner Secret's key holding the build's registry auth file (mounted, never an env var). */
export const REGISTRY_AUTH_KEY = 'registry-auth.json';

/**
 * The per-runner Secret holding the job's secret environment (clone token, registry password),
 * one key per variable; containers read them through `secretKeyRef`, so no secret value is ever
 * a literal in the pod spec. Created by `prepare` even when empty: it is what marks a runner
 * that is prepared but not started, so `list` (and the reaper) find it. Pure.
 */
export function buildRunnerSecret(input: RunnerSecretInput): V1Secret {
  const data: Record<string, string> = {};
  for (const [key, value] of Object.entries(input.secretEnv))
    data[key] = Buffer.from(value, 'utf8').toString('base64');
  for (const [key, value] of Object.entries(input.files ?? {}))
    data[key] = Buffer.from(value, 'utf8').toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: input.name,
      namespace: input.namespace,
      labels: { ...input.labels },
      annotations: { ...input.annotations },
    },
    type: 'Opaque',
    immutable: true,
    data,
  };
}

/** An environment variable read from the runner's Secret. Pure. */
export function secretEnvVar(name: string, secretName: string): V1EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: secretName, key: name } } };
}

/**
 * The JSON patch that makes the pod own its Secret, so the garbage collector removes the Secret
 * with the pod even when Ferry does not get to `destroy`. Pure.
 */
export function ownedByPodPatch(pod: V1Pod): { op: 'add'; path: string; value: V1OwnerReference[] }[] {
  const uid = pod.metadata?.uid;
  const name = pod.metadata?.name;
  if (uid === undefined || name === undefined) throw new TypeError('the pod has no name or uid yet');
  return [
    {
      op: 'add',
      path: '/metadata/ownerReferences',
      value: [{ apiVersion: 'v1', kind: 'Pod', name, uid, blockOwnerDeletion: false }],
    },
  ];
}
