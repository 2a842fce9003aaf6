import type { StageUser } from './stage-user.js';

export interface LocalExecutorOptions {
  /** Where runners live, one directory each (config `executor.local.workDir`). */
  workDir: string;
  /** The runner program; default: `bin/ferry-runner.js` of the installed `@ferry/runner`. */
  runnerProgram?: string;
  /** The node binary that runs it (default: the one running Ferry). */
  node?: string;
  /**
   * How the stage script runs: `sh` (default) hands the script (`buildStageScript`) to /bin/sh
   * directly, which saves Node's start-up (about 0.1 s) per stage; `runner` goes through
   * `ferry-runner run`, as every other executor does.
   */
  scriptVia?: 'runner' | 'sh';
  /**
   * How the commit is cloned: `in-process` (default) runs the runner's clone code in Ferry's process,
   * so only git is spawned; `runner` spawns `ferry-runner clone`.
   */
  cloneVia?: 'runner' | 'in-process';
  /**
   * The unprivileged account stage scripts run as (`resolveStageUser`: Ferry is root). The clone
   * still runs as Ferry (it holds the token); the workspace is handed to this user before the script.
   */
  runAs?: StageUser;
  /** Between SIGTERM and SIGKILL on cancel and timeout (default 2 s). */
  killGraceMs?: number;
}
