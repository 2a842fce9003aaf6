import type { ResolvedPlan } from '../pipeline-spec/plan.js';
import type { RegistryCredentials } from './inputs.js';
import { LabelKey, MANAGED_BY } from './labels.js';
import type { SecretManifest } from './types.js';

export const DOCKER_CONFIG_JSON_TYPE = 'kubernetes.io/dockerconfigjson';
export const DOCKER_CONFIG_JSON_KEY = '.dockerconfigjson';

/** The `.dockerconfigjson` document the kubelet reads, as the docker CLI writes it. */
export function dockerConfigJson(registry: RegistryCredentials): string {
  const auth = Buffer.from(`${registry.username}:${registry.password}`, 'utf8').toString('base64');
  return JSON.stringify({
    auths: { [registry.endpoint]: { username: registry.username, password: registry.password, auth } },
  });
}

/**
 * The namespace's imagePullSecret (`ferry-registry`), shared by every service Ferry deploys
 * there; its content comes from the registry credentials Ferry holds, never from a repository.
 */
export function buildPullSecret(plan: ResolvedPlan, registry: RegistryCredentials): SecretManifest {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: plan.names.imagePullSecret,
      namespace: plan.namespace,
      labels: { [LabelKey.managedBy]: MANAGED_BY },
    },
    type: DOCKER_CONFIG_JSON_TYPE,
    data: { [DOCKER_CONFIG_JSON_KEY]: Buffer.from(dockerConfigJson(registry), 'utf8').toString('base64') },
  };
}
