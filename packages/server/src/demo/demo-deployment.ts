import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import { DEMO_DEPLOYMENT } from './start-demo-world.js';

export interface DemoDeploymentState {
  image: string;
  replicas: number;
  updated: number;
  ready: number;
  /** The Deployment's revision (`deployment.kubernetes.io/revision`), as `kubectl rollout history` counts. */
  revision: string;
}

/** What the cluster says the demo's service runs now, read through the Kubernetes API; undefined when it has no Deployment yet. */
export async function demoDeploymentState(kubeconfig: string): Promise<DemoDeploymentState | undefined> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  try {
    const d = await kc.makeApiClient(AppsV1Api).readNamespacedDeployment(DEMO_DEPLOYMENT);
    return {
      image: d.spec?.template.spec?.containers[0]?.image ?? '',
      replicas: d.spec?.replicas ?? 0,
      updated: d.status?.updatedReplicas ?? 0,
      ready: d.status?.readyReplicas ?? 0,
      revision: d.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? '',
    };
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}
