import type { FerryConfig } from '@ferry/shared';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ExecutorLogger } from './executor-logger.js';

export type KubernetesExecutorConfig = FerryConfig['executor']['kubernetes'];

export interface KubernetesExecutorOptions {
  /** `executor.kubernetes` of the Ferry configuration. */
  config: KubernetesExecutorConfig;
  /** Credentials; default: from `config.kubeconfig`/`context`, else in-cluster, else the default kubeconfig. */
  kubeConfig?: KubeConfig;
  logger?: ExecutorLogger;
  /** Labels the runner namespace gets when Ferry creates it (`namespaceLabels`: Pod Security). */
  namespaceLabels?: Readonly<Record<string, string>>;
  /** Only runners of this owner (StageJob.owner) are listed, so reaped; default: every Ferry runner. */
  owner?: string;
  /** Grace period when cancel or destroy deletes a running pod (default 1 s: SIGTERM, then SIGKILL). */
  cancelGraceSeconds?: number;
  /** The pod's terminationGracePeriodSeconds, used when the stage deadline ends it (default 2). */
  terminationGraceSeconds?: number;
  /** The 5-character pod name suffix (tests); default random like Kubernetes' generateName. */
  randomSuffix?: () => string;
}
