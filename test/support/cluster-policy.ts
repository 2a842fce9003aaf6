/**
 * What operators' clusters enforce, set up on a namespace of the Kubernetes double (or a real
 * cluster): the `restricted` Pod Security Standard and a compute ResourceQuota, with a LimitRange
 * that gives a default cpu limit (a quota on limits.cpu needs one on every container). Ferry's
 * runner pods and workloads must be admitted under it unchanged.
 */
import type { CoreV1Api } from '@kubernetes/client-node';

export const restrictedLabels = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'latest',
  'pod-security.kubernetes.io/warn': 'restricted',
} as const;

/** Creates the namespace (restricted unless told) with its quota and LimitRange. */
export async function createPolicedNamespace(
  core: CoreV1Api,
  name: string,
  labels: Readonly<Record<string, string>> = restrictedLabels,
): Promise<void> {
  await core.createNamespace({ body: { metadata: { name, labels: { ...labels } } } });
  await applyQuota(core, name);
}

/** The compute quota and LimitRange of a namespace that already exists. */
export async function applyQuota(core: CoreV1Api, namespace: string): Promise<void> {
  await core.createNamespacedResourceQuota({
    namespace,
    body: {
      metadata: { name: 'compute' },
      spec: {
        hard: {
          pods: '40',
          'requests.cpu': '8',
          'requests.memory': '16Gi',
          'limits.cpu': '16',
          'limits.memory': '32Gi',
        },
      },
    },
  });
  await core.createNamespacedLimitRange({
    namespace,
    body: {
      metadata: { name: 'defaults' },
      spec: { limits: [{ type: 'Container', _default: { cpu: '1' }, max: { memory: '8Gi' } }] },
    },
  });
}
