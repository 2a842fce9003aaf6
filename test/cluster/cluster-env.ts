import { randomBytes } from 'node:crypto';

/** What the real-cluster suite is told through the environment (see README → Real cluster). */
export interface ClusterEnv {
  /** From KUBECONFIG (required); FERRY_CLUSTER_CONTEXT picks a context. */
  context?: string;
  /** FERRY_CLUSTER_NAMESPACE, or a fresh `ferry-conformance-<random>` deleted at the end. */
  namespace: string;
  ownNamespace: boolean;
  /** FERRY_CLUSTER_RUNNER_IMAGE (required): the runner image, pushed where the cluster pulls. */
  runnerImage: string;
  /**
   * FERRY_CLUSTER_APP_IMAGE (required): what the rendered Deployment runs: an image serving HTTP
   * on $PORT as a numeric non-root user, pulled by the cluster (e.g. test/release/sample-app.ts's
   * image pushed there).
   */
  appImage: string;
  /** FERRY_CLUSTER_STAGE_IMAGE: any image with sh, yes, head, sleep (default busybox:1.36). */
  stageImage: string;
  /** FERRY_CLUSTER_PULL_SECRETS: comma-separated imagePullSecrets in the namespace. */
  imagePullSecrets: string[];
  /**
   * FERRY_CLUSTER_HOST_ADDRESS: the address at which pods reach this machine (kind: the docker
   * network gateway; k3s: the node IP). The clone tests' git server is served there.
   */
  hostAddress?: string;
}

export function readClusterEnv(env: NodeJS.ProcessEnv = process.env): ClusterEnv {
  if (!env.KUBECONFIG) throw new Error('KUBECONFIG is not set: npm run test:cluster needs a cluster');
  const runnerImage = env.FERRY_CLUSTER_RUNNER_IMAGE;
  if (!runnerImage)
    throw new Error(
      'FERRY_CLUSTER_RUNNER_IMAGE is not set: push the runner image where the cluster pulls from',
    );
  const appImage = env.FERRY_CLUSTER_APP_IMAGE;
  if (!appImage)
    throw new Error(
      'FERRY_CLUSTER_APP_IMAGE is not set: an image serving HTTP on $PORT as a numeric non-root user, where the cluster pulls from',
    );
  const namespace = env.FERRY_CLUSTER_NAMESPACE;
  return {
    ...(env.FERRY_CLUSTER_CONTEXT ? { context: env.FERRY_CLUSTER_CONTEXT } : {}),
    namespace: namespace || `ferry-conformance-${randomBytes(3).toString('hex')}`,
    ownNamespace: !namespace,
    runnerImage,
    appImage,
    stageImage: env.FERRY_CLUSTER_STAGE_IMAGE || 'busybox:1.36',
    imagePullSecrets: (env.FERRY_CLUSTER_PULL_SECRETS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    ...(env.FERRY_CLUSTER_HOST_ADDRESS ? { hostAddress: env.FERRY_CLUSTER_HOST_ADDRESS } : {}),
  };
}
