export { LocalExecutor } from './local-executor.js';
export type { LocalExecutorOptions } from './local-executor-options.js';
export { resolveStageUser, type StageUser } from './stage-user.js';
