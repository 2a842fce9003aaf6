export * as ApiErrors from './codes/api.js';
export * as CliErrors from './codes/cli.js';
export * as CommonErrors from './codes/common.js';
export * as ConfigErrors from './codes/config.js';
export * as ExecutorErrors from './codes/executor.js';
export * as HistoryErrors from './codes/history.js';
export * as KubernetesErrors from './codes/kubernetes.js';
export * as PipelineErrors from './codes/pipeline.js';
export * as ReleaseErrors from './codes/release.js';
export * as ReportingErrors from './codes/reporting.js';
export * as RunnerErrors from './codes/runner.js';
export * as ServerErrors from './codes/server.js';
export * as SpecErrors from './codes/spec.js';
export * as WebhookErrors from './codes/webhook.js';
export { defineError, type ErrorDefinition } from './define-error.js';
export { renderErrorsDoc } from './errors-doc.js';
export {
  type ErrorParams,
  FerryError,
  type FerryErrorOptions,
  formatMessage,
  isFerryError,
} from './ferry-error.js';
export { allErrorDefinitions, errorAreas } from './registry.js';
