export interface LocalExecutorOptions {
  /** Where runners live, one directory each (config `executor.local.workDir`). */
  workDir: string;
  /** The runner program; default: `bin/ferry-runner.js` of the installed `@ferry/runner`. */
  runnerProgram?: string;
  /** The node binary that runs it (default: the one running Ferry). */
  node?: string;
  /**
   * How the stage script runs: `runner` (default) through `ferry-runner run`, as in every other
   * executor; `sh` hands the same script (`buildStageScript`) to /bin/sh directly, which saves
   * Node's start-up (about 0.1 s) per stage.
   */
  scriptVia?: 'runner' | 'sh';
  /** Between SIGTERM and SIGKILL on cancel and timeout (default 2 s). */
  killGraceMs?: number;
}
