import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, open, writeFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { clone, cloneEnv, cloneFailureReason, commandEnv, parseCloneTarget } from '@ferry/runner';
import { RunnerEnv } from '@ferry/shared';
import type { StageJob } from '../executor.js';
import { StageRun, type StopReason } from '../stage-run.js';
import { stageScript } from '../stage-script.js';
import { followFile } from './follow-file.js';
import { localBaseEnv } from './local-env.js';
import { LocalOutput } from './local-output.js';
import { processStartTicks, signalGroup } from './process-group.js';
import { exitFile, exitRecorder, type Phase, phaseFiles, startLine } from './runner-end.js';
import { type RunnerState, readRunnerState, writeRunnerState } from './runner-state.js';
import type { StageUser } from './stage-user.js';

const execFileAsync = promisify(execFile);

/** A local runner's directories: its root (state, commands), the workspace, HOME and TMPDIR. */
export interface RunnerDirs {
  root: string;
  workspace: string;
  home: string;
  tmp: string;
  /** Holds `ferry-runner` for the stage's PATH. */
  bin: string;
}

export interface LocalRunDeps {
  job: StageJob;
  dirs: RunnerDirs;
  state: RunnerState;
  node: string;
  runnerProgram: string;
  scriptVia: 'runner' | 'sh';
  cloneVia: 'runner' | 'in-process';
  killGraceMs: number;
  /** Run the script as this unprivileged user (Ferry is root); unset: as Ferry. */
  runAs?: StageUser;
}

/**
 * One local runner at work: the clone (`ferry-runner clone`) then the script (`ferry-runner run`),
 * each a process group of its own, recorded in the state file while it runs. Cancel sends SIGTERM
 * to the group and SIGKILL after a grace period; when a group's leader exits, whatever it left in
 * its group is killed.
 */
export class LocalRun extends StageRun<LocalOutput> {
  readonly #deps: LocalRunDeps;
  #pgid: number | undefined;
  #graceTimer: NodeJS.Timeout | undefined;
  #cloneAbort: AbortController | undefined;

  constructor(deps: LocalRunDeps) {
    super(new LocalOutput(), deps.job.timeoutMs);
    this.#deps = deps;
  }

  /** SIGTERM to the group now, SIGKILL after the grace period (at once when destroyed). */
  protected halt(why: StopReason): void {
    this.#cloneAbort?.abort(new Error(why));
    const pgid = this.#pgid;
    if (pgid === undefined) return;
    if (why === 'destroyed') {
      signalGroup(pgid, 'SIGKILL');
      return;
    }
    signalGroup(pgid, 'SIGTERM');
    this.#graceTimer = setTimeout(() => signalGroup(pgid, 'SIGKILL'), this.#deps.killGraceMs);
  }

  protected failure(err: Error): string {
    return `the local runner failed: ${err.message}`;
  }

  protected override onFinish(): void {
    clearTimeout(this.#graceTimer);
  }

  protected async drive(): Promise<void> {
    const { job, dirs, node, runnerProgram } = this.#deps;
    const base = localBaseEnv(dirs, node);
    const runAs = this.#deps.runAs;
    const asUser = runAs === undefined ? {} : { runAs };
    if (job.checkout !== false && this.#deps.cloneVia === 'in-process') {
      // The script's group is started (held at its gate, recorded in the state) while the clone
      // runs, so starting it is off the path between the webhook and the script's first line.
      const launching = this.#scriptArgv().then((argv) =>
        this.#launch('script', argv, this.#scriptEnv(base), dirs.root, { gated: true, ...asUser }),
      );
      // Awaited below in every case; meanwhile its failure is not an unhandled rejection.
      launching.catch(() => {});
      const code = await this.#cloneInProcess(base);
      const script = await launching;
      if (this.stopReason !== undefined || code !== 0) {
        // Its gate closes: the held shell exits without running anything and records no exit code.
        await this.#end(script, false);
        if (this.stopReason !== undefined) return this.finishStopped();
        return this.#cloneFailed(code);
      }
      try {
        if (runAs !== undefined) await this.#handOver(runAs);
        // Another Ferry that took the stage over meanwhile destroyed this runner: the script never starts.
        await this.#assertNotDestroyed('script');
      } catch (err) {
        await this.#end(script, false);
        throw err;
      }
      return this.#scriptEnded(await this.#end(script, true));
    }
    if (job.checkout !== false) {
      const code = await this.#phase(
        'clone',
        [node, runnerProgram, 'clone', '--dir', dirs.workspace],
        {
          ...base,
          ...cloneEnv(job),
        },
        dirs.root,
      );
      if (this.stopReason !== undefined) return this.finishStopped();
      if (code !== 0) return this.#cloneFailed(code);
    }
    if (this.stopReason !== undefined) return this.finishStopped();
    const argv = await this.#scriptArgv();
    if (runAs !== undefined) await this.#handOver(runAs);
    // Gated: the script starts only once its group is recorded (exitRecorder).
    const code = await this.#phase('script', argv, this.#scriptEnv(base), dirs.root, {
      gated: true,
      ...asUser,
    });
    this.#scriptEnded(code);
  }

  /** The clone ran as Ferry; from here on the stage's files are the stage user's. */
  async #handOver(runAs: StageUser): Promise<void> {
    const { dirs } = this.#deps;
    const owned = [dirs.workspace, dirs.home, dirs.tmp, dirname(exitFile(dirs.root))];
    if (this.#deps.scriptVia === 'runner') owned.push(commandsFile(dirs.root));
    await chownTree(owned, runAs);
  }

  #cloneFailed(code: number): void {
    const reason = cloneFailureReason(code);
    this.output.system(`ferry: ${reason}`);
    this.finish({ status: 'failed', exitCode: code, reason });
  }

  #scriptEnded(code: number): void {
    if (this.stopReason !== undefined) {
      this.finishStopped();
      return;
    }
    this.finish(
      code === 0
        ? { status: 'success', exitCode: 0 }
        : { status: 'failed', exitCode: code, reason: `exit code ${code}` },
    );
  }

  /**
   * The script's command line, run by the shell that records its exit code in end/exit
   * (exitRecorder), so a Ferry that was away when it ended can still adopt the runner
   * (LocalExecutor.adopt).
   */
  async #scriptArgv(): Promise<string[]> {
    const { job, dirs, node, runnerProgram } = this.#deps;
    let argv: string[];
    if (this.#deps.scriptVia === 'sh') {
      argv = ['/bin/sh', '-c', stageScript(job)];
    } else {
      await writeFile(commandsFile(dirs.root), JSON.stringify(job.script), { mode: 0o600 });
      argv = [node, runnerProgram, 'run', '--no-new-group', '--commands-file', commandsFile(dirs.root)];
    }
    await mkdir(dirname(exitFile(dirs.root)), { mode: 0o700 });
    return exitRecorder(exitFile(dirs.root), dirs.workspace, argv);
  }

  #scriptEnv(base: Record<string, string>): Record<string, string> {
    return { ...base, ...commandEnv(this.#deps.job, this.#deps.dirs.workspace) };
  }

  /**
   * The clone with the runner's own code, in this process: only git runs as a child, so no Node
   * start-up (about 0.1 s) stands between the webhook and the stage script. The token reaches git
   * through its environment only, as in `ferry-runner clone`.
   */
  async #cloneInProcess(base: Record<string, string>): Promise<number> {
    const { job, dirs } = this.#deps;
    const target = parseCloneTarget({ url: job.project.cloneUrl, sha: job.sha, ref: job.ref });
    if ('problem' in target) {
      this.output.system(`ferry: cannot clone: ${target.problem}`);
      return 2;
    }
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    this.output.process(stdout, stderr);
    this.#cloneAbort = new AbortController();
    try {
      const token = job.secretEnv[RunnerEnv.cloneToken];
      const user = job.secretEnv[RunnerEnv.cloneUser];
      return await clone({
        target,
        dir: dirs.workspace,
        ...(token === undefined || token === '' ? {} : { token }),
        ...(user === undefined || user === '' ? {} : { user }),
        env: { ...base, HOME: dirs.home },
        stdout,
        stderr,
        signal: this.#cloneAbort.signal,
      });
    } catch (err) {
      if (this.stopReason === undefined) this.output.system(`ferry: clone failed: ${(err as Error).message}`);
      return 1;
    } finally {
      this.#cloneAbort = undefined;
      stdout.end();
      stderr.end();
    }
  }

  /**
   * Runs one process group to its end; returns its exit code (128 + n for a signal). Its output
   * goes to files in the runner's directory (opened by Ferry, handed over as descriptors), read
   * from there into the log: a stage whose Ferry dies keeps writing and ends normally, and its
   * output is there for the Ferry that adopts it.
   */
  async #phase(...spawnArgs: PhaseSpawn): Promise<number> {
    return this.#end(await this.#launch(...spawnArgs), true);
  }

  /**
   * Starts a phase's process group and records it in the runner's state; a gated one then waits
   * at its gate for `#end`. Its output is files in the runner's directory (opened by Ferry, handed
   * over as descriptors).
   */
  async #launch(...[phase, argv, env, cwd, options = {}]: PhaseSpawn): Promise<Launched> {
    const { runAs, gated = false } = options;
    const [bin, ...args] = argv as [string, ...string[]];
    const files = phaseFiles(this.#deps.dirs.root, phase);
    await this.#assertNotDestroyed(phase);
    const out = await open(files.stdout, 'a', 0o600);
    const err = await open(files.stderr, 'a', 0o600).catch(async (e: unknown) => {
      await out.close();
      throw e;
    });
    let child: ChildProcess;
    let exited: Promise<number>;
    try {
      child = spawn(bin, args, {
        cwd,
        env,
        detached: true,
        stdio: [gated ? 'pipe' : 'ignore', out.fd, err.fd],
        ...(runAs === undefined ? {} : { uid: runAs.uid, gid: runAs.gid }),
      });
      exited = exitOf(child);
    } finally {
      await Promise.all([out.close(), err.close()]);
    }
    if (child.pid === undefined) {
      child.once('error', (e) => this.output.system(`ferry: cannot start ${bin}: ${e.message}`));
      return { files, exited, gate: () => {} };
    }
    const pgid = child.pid;
    this.#pgid = pgid;
    // The shell may die before reading (killed by a stop): a write to its closed stdin is no error.
    child.stdin?.on('error', () => {});
    const startTicks = await processStartTicks(pgid);
    const group = startTicks === undefined ? { pgid } : { pgid, startTicks };
    await writeRunnerState(this.#deps.dirs.root, { ...this.#deps.state, group }).catch((e: unknown) => {
      // Its directory was moved away meanwhile (destroyed by a Ferry that took the stage over):
      // the group, still waiting at its gate, must not run unrecorded.
      signalGroup(pgid, 'SIGKILL');
      throw e;
    });
    // A stop that came while the group was being recorded still reaches it.
    if (this.stopReason === 'destroyed') signalGroup(pgid, 'SIGKILL');
    else if (this.stopReason !== undefined) signalGroup(pgid, 'SIGTERM');
    return {
      pgid,
      files,
      exited,
      gate: (go) => {
        if (gated) child.stdin?.end(go ? startLine : undefined);
      },
    };
  }

  /**
   * Lets a launched group go on (a gated script starts, unless the run was stopped meanwhile) or,
   * `go` false, closes its gate (it exits without running the script); reads its output into the
   * log and returns its exit code (128 + n for a signal) once it ended.
   */
  async #end(launched: Launched, go: boolean): Promise<number> {
    const { pgid, files, exited } = launched;
    if (pgid === undefined) return exited;
    if (go) this.output.process(followFile(files.stdout, exited), followFile(files.stderr, exited));
    // Recorded, so findable and killable by any Ferry: the gated script may start now (or, stopped,
    // its gate closes and it never does).
    launched.gate(go && this.stopReason === undefined);
    const code = await exited;
    // Whatever the leader left running in its group (`sleep 100 &`) ends with it.
    signalGroup(pgid, 'SIGKILL');
    this.#pgid = undefined;
    return code;
  }

  /** Another Ferry that took the stage over destroyed this runner (moved its directory away): nothing more of it starts. */
  async #assertNotDestroyed(phase: Phase): Promise<void> {
    if ((await readRunnerState(this.#deps.dirs.root)) === undefined)
      throw new Error(`runner ${this.#deps.state.id} was destroyed before its ${phase} started`);
  }
}

/** What starts a phase's process group: the phase, its command line, environment and directory. */
type PhaseSpawn = [
  phase: Phase,
  argv: string[],
  env: Record<string, string>,
  cwd: string,
  options?: { runAs?: StageUser; gated?: boolean },
];

/** A phase's process group, started and recorded (`LocalRun.#launch`). */
interface Launched {
  /** Undefined when the process could not be started (`exited` then says 127). */
  pgid?: number;
  files: Record<'stdout' | 'stderr', string>;
  exited: Promise<number>;
  /** Opens (`true`) or closes a gated group's gate; nothing for an ungated one. */
  gate(go: boolean): void;
}

/** Where `ferry-runner run` reads the commands (scriptVia `runner`). */
function commandsFile(root: string): string {
  return join(root, 'commands.json');
}

/** `chown -R` without following links (a repository's symlink never hands over a file outside it). */
async function chownTree(paths: readonly string[], user: StageUser): Promise<void> {
  await execFileAsync('chown', ['-R', '--no-dereference', `${user.uid}:${user.gid}`, '--', ...paths]);
}

function exitOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('error', () => resolve(127));
    child.once('exit', (code, signal) => {
      resolve(code ?? 128 + (signal === null ? 0 : constants.signals[signal]));
    });
  });
}
