/**
 * The contract between the server and the runner program, which both import: the environment
 * keys, the contract version, the result line (prefix, writer, parser) and its schemas.
 */
export {
  contractMismatch,
  RUNNER_CONTRACT_VERSION,
  serverContractMismatch,
} from './contract-version.js';
export { RunnerEnv, type RunnerEnvKey } from './env-keys.js';
export {
  type CanaryStepProgress,
  CanaryStepProgressSchema,
  formatProgressLine,
  PROGRESS_PREFIX,
  ProgressSchema,
  parseProgressLine,
  type RunnerProgress,
} from './progress-line.js';
export {
  type CapturedReport,
  exitTrap,
  MAX_REPORT_FILES,
  MAX_REPORT_TOTAL_BYTES,
  REPORT_FILE_SEND_BYTES,
  REPORT_MARKER,
  REPORTS_EXIT_HOOK,
  ReportCapture,
  reportsEpilogue,
} from './report-lines.js';
export {
  escapeOutputLine,
  formatResultLine,
  lastResultLine,
  parseResultLine,
  parseRunnerResult,
  RESULT_PREFIX,
  type ResultLineRead,
  readResult,
} from './result-line.js';
export { ResultLineReader } from './result-line-reader.js';
export {
  type BuildFailure,
  BuildFailureSchema,
  type BuildResult,
  BuildResultSchema,
  type BuildSuccess,
  BuildSuccessSchema,
  type DeployFailure,
  type DeployFailureFields,
  DeployFailureSchema,
  type DeployResult,
  DeployResultSchema,
  type DeploySuccess,
  DeploySuccessSchema,
  type PreviousRelease,
  PreviousReleaseSchema,
  type ResultError,
  ResultErrorSchema,
  type ResultKind,
  type RunnerResult,
  type RunnerResults,
  resultKindOf,
  resultSchemas,
} from './results.js';
