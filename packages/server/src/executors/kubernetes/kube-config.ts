import { FerryError, KubernetesErrors } from '@ferry/shared';
import { KubeConfig } from '@kubernetes/client-node';

export interface KubeCredentialsConfig {
  kubeconfig?: string;
  context?: string;
}

/**
 * Kubernetes credentials, in order: the configured kubeconfig file (and context); in-cluster (the
 * pod's service account, when KUBERNETES_SERVICE_HOST is set); the default kubeconfig
 * ($KUBECONFIG, ~/.kube/config; read from the process environment). Throws FERRY_ERR_KUBERNETES_CONFIG when none gives a cluster.
 */
export function loadKubeConfig(
  config: KubeCredentialsConfig,
  env: NodeJS.ProcessEnv = process.env,
): KubeConfig {
  const kc = new KubeConfig();
  let source: string;
  try {
    if (config.kubeconfig !== undefined) {
      source = `kubeconfig ${config.kubeconfig}`;
      kc.loadFromFile(config.kubeconfig);
    } else if (env.KUBERNETES_SERVICE_HOST !== undefined && env.KUBERNETES_SERVICE_HOST !== '') {
      source = 'the in-cluster service account';
      kc.loadFromCluster();
    } else {
      source = 'the default kubeconfig';
      kc.loadFromDefault();
      // With nothing to load, the client falls back to an unauthenticated http://localhost:8080.
      const cluster = kc.getCurrentCluster();
      if (cluster?.name === 'cluster' && cluster.server === 'http://localhost:8080')
        throw new Error('no kubeconfig found ($KUBECONFIG, ~/.kube/config) and not running in a cluster');
    }
  } catch (err) {
    throw new FerryError(
      KubernetesErrors.KUBERNETES_CONFIG,
      { reason: (err as Error).message },
      { cause: err },
    );
  }
  if (config.context !== undefined) {
    if (kc.getContextObject(config.context) === null)
      throw new FerryError(KubernetesErrors.KUBERNETES_CONFIG, {
        reason: `${source} has no context ${config.context}`,
      });
    kc.setCurrentContext(config.context);
  }
  if (kc.getCurrentCluster() === null)
    throw new FerryError(KubernetesErrors.KUBERNETES_CONFIG, { reason: `${source} names no cluster` });
  return kc;
}
