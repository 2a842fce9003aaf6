export type { ExecutorLogger } from './executor-logger.js';
export { loadKubeConfig } from './kube-config.js';
export { KubernetesExecutor } from './kubernetes-executor.js';
export type { KubernetesExecutorConfig, KubernetesExecutorOptions } from './kubernetes-executor-options.js';
export { MANAGED_BY_LABEL, MANAGED_BY_VALUE, RUNNER_SELECTOR, RunnerKeys } from './labels.js';
