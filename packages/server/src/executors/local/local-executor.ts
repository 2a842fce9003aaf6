import { chmod, mkdir, readdir, rename, rm, stat, symlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ExecutorErrors, FerryError } from '@ferry/shared';
import { abortable } from '../../abort/abortable.js';
import type {
  Executor,
  LogSink,
  RunnerEnd,
  RunnerHandle,
  RunnerInfo,
  StageJob,
  StageResult,
} from '../executor.js';
import { LiveRuns } from '../live-runs.js';
import type { LocalExecutorOptions } from './local-executor-options.js';
import { LocalRun, type RunnerDirs } from './local-run.js';
import { killGroup, waitGroupGone } from './process-group.js';
import { readExitCode, replayOutput, resultOfExit } from './runner-end.js';
import { isLocalRunnerId, localRunnerId } from './runner-id.js';
import { checkRunnerProgram, defaultRunnerProgram } from './runner-program.js';
import { type RunnerState, readRunnerState, writeRunnerState } from './runner-state.js';

/**
 * The `local` executor (the embedded default): each runner is a directory under `workDir` with
 * its workspace, HOME, TMPDIR and a state file, and runs as process groups of its own. The state
 * file lets `list` and `destroy` find runners after a Ferry restart; `destroy` kills what is left
 * of the group and removes the directory.
 *
 * Stages run as Ferry's own user: the local executor isolates environment and working directory,
 * not users (use docker or kubernetes for untrusted code).
 */
export class LocalExecutor implements Executor {
  readonly kind = 'local';
  readonly #workDir: string;
  readonly #program: string;
  readonly #node: string;
  readonly #scriptVia: 'runner' | 'sh';
  readonly #cloneVia: 'runner' | 'in-process';
  readonly #killGraceMs: number;
  readonly #options: LocalExecutorOptions;
  readonly #runs = new LiveRuns<LocalRun>('local');
  #programChecked: Promise<void> | undefined;

  constructor(options: LocalExecutorOptions) {
    this.#options = options;
    this.#workDir = resolve(options.workDir);
    this.#program = options.runnerProgram ?? defaultRunnerProgram();
    this.#node = options.node ?? process.execPath;
    this.#scriptVia = options.scriptVia ?? 'sh';
    this.#cloneVia = options.cloneVia ?? 'in-process';
    this.#killGraceMs = options.killGraceMs ?? 2_000;
  }

  async prepare(job: StageJob, signal: AbortSignal): Promise<RunnerHandle> {
    signal.throwIfAborted();
    if ((job.services ?? []).length > 0) {
      // A process on the Ferry host has no network namespace of its own: a service's port there
      // would be every job's (and the host's), the collisions services exist to avoid.
      throw new FerryError(ExecutorErrors.EXECUTOR_INVALID_JOB, {
        kind: 'local',
        stage: job.stage,
        pipelineId: job.pipelineId,
        reason:
          'the local executor runs no services (a job here shares the host network, so their ports would collide); use the docker or kubernetes executor (executor.kind) or remove `services`',
      });
    }
    this.#programChecked ??= checkRunnerProgram(this.#program);
    await this.#programChecked.catch((err: unknown) => {
      this.#programChecked = undefined;
      throw err;
    });
    const id = localRunnerId(job);
    const dirs = this.#dirs(id);
    await mkdir(this.#workDir, { recursive: true });
    // With a stage user the root stays Ferry's (its state file steers recovery and kills) but can be
    // passed through; the user gets the workspace, HOME and TMPDIR before the script (LocalRun).
    // Only the test stage runs the project's own commands on this host; build and deploy run
    // Ferry's runner (Dockerfile steps run in the engine's containers), which needs the engine's
    // socket and the stage's credentials, so those stay Ferry's.
    const runAs = job.stage === 'test' ? this.#options.runAs : undefined;
    // Passable (not listable) for the stage user, which reaches its workspace by absolute path.
    if (runAs !== undefined) await chmod(this.#workDir, 0o711);
    await mkdir(dirs.root, { mode: runAs === undefined ? 0o700 : 0o711 });
    await Promise.all([dirs.workspace, dirs.home, dirs.tmp].map((dir) => mkdir(dir, { mode: 0o700 })));
    await mkdir(dirs.bin, { mode: runAs === undefined ? 0o700 : 0o755 });
    // `ferry-runner build|deploy` (the build and deploy stages) run as in the runner image.
    await symlink(this.#program, join(dirs.bin, 'ferry-runner'));
    const state: RunnerState = {
      version: 1,
      id,
      pipelineId: job.pipelineId,
      stage: job.stage,
      attempt: job.attempt,
      projectPath: job.project.path,
      sha: job.sha,
      createdAt: new Date().toISOString(),
    };
    await writeRunnerState(dirs.root, state);
    this.#runs.add(
      id,
      new LocalRun({
        job,
        dirs,
        state,
        node: this.#node,
        runnerProgram: this.#program,
        scriptVia: this.#scriptVia,
        cloneVia: this.#cloneVia,
        killGraceMs: this.#killGraceMs,
        ...(runAs === undefined ? {} : { runAs }),
      }),
    );
    return { id };
  }

  async start(handle: RunnerHandle, signal: AbortSignal): Promise<void> {
    this.#runs.start(handle, signal);
  }

  async tail(handle: RunnerHandle, sink: LogSink, signal: AbortSignal): Promise<void> {
    return this.#runs.tail(handle, sink, signal);
  }

  async wait(handle: RunnerHandle, signal: AbortSignal): Promise<StageResult> {
    return this.#runs.wait(handle, signal);
  }

  async cancel(handle: RunnerHandle, signal: AbortSignal): Promise<void> {
    const run = this.#runs.get(handle.id);
    if (run !== undefined) return run.stop('canceled');
    // A runner from before a restart: nothing waits on it, so end its group at once.
    const state = isLocalRunnerId(handle.id) ? await readRunnerState(this.#dirs(handle.id).root) : undefined;
    if (state?.group !== undefined) await killGroup(state.group, signal);
  }

  async destroy(handle: RunnerHandle, signal: AbortSignal): Promise<void> {
    if (!isLocalRunnerId(handle.id)) return;
    const dirs = this.#dirs(handle.id);
    const run = this.#runs.get(handle.id);
    if (run !== undefined) {
      run.stop('destroyed');
      if (run.started)
        await abortable(run.result, AbortSignal.any([signal, AbortSignal.timeout(5_000)])).catch(() => {});
    }
    // Moved aside first (atomically): a runner another Ferry is starting right now either recorded
    // its process group before the move (read and killed here) or finds its directory gone and
    // kills its own group (LocalRun), so a destroyed runner's script never runs on.
    const doomed = destroyedDir(dirs.root);
    await rename(dirs.root, doomed).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    });
    const state = await readRunnerState(doomed);
    if (state?.group !== undefined) await killGroup(state.group, signal);
    await rm(doomed, { recursive: true, force: true, maxRetries: 3 });
    this.#runs.delete(handle.id);
  }

  async adopt(handle: RunnerHandle, sink: LogSink, signal: AbortSignal): Promise<RunnerEnd> {
    if (!isLocalRunnerId(handle.id)) return { finished: false, why: 'not a local runner id' };
    const root = this.#dirs(handle.id).root;
    const state = await readRunnerState(root);
    if (state === undefined) return { finished: false, why: 'no such runner' };
    let code = await readExitCode(root);
    if (code === undefined && state.group !== undefined) {
      // Still running (its Ferry died or stalled): followed to its end. A group held at its gate
      // by a dead Ferry exits at once (its stdin ends) and leaves no exit code.
      await waitGroupGone(state.group, signal);
      code = await readExitCode(root);
    }
    if (code === undefined) return { finished: false, why: 'its script never ended' };
    await replayOutput(root, sink, signal);
    return { finished: true, result: resultOfExit(code) };
  }

  async list(signal: AbortSignal): Promise<RunnerInfo[]> {
    signal.throwIfAborted();
    let names: string[];
    try {
      names = await readdir(this.#workDir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const runners: RunnerInfo[] = [];
    // A destroy cut short (its Ferry died) leaves its moved-aside directory: listed as unknown, so
    // the reaper destroys it again.
    for (const name of names.filter((n) => isLocalRunnerId(n.replace(DESTROYED, ''))).sort()) {
      if (name.endsWith(DESTROYED)) {
        runners.push({ id: name.replace(DESTROYED, ''), pipelineId: '', stage: '' });
        continue;
      }
      const root = this.#dirs(name).root;
      const state = await readRunnerState(root);
      // A directory without a readable state is still ours: listed with an unknown pipeline, so the
      // reaper removes it, but only past its grace period: a runner being prepared (by this Ferry
      // or another replica) has its directory before its state.
      const made = state === undefined ? await stat(root).catch(() => undefined) : undefined;
      runners.push(
        state === undefined
          ? { id: name, pipelineId: '', stage: '', ...(made === undefined ? {} : { createdAt: made.mtime }) }
          : {
              id: name,
              pipelineId: state.pipelineId,
              stage: state.stage,
              createdAt: new Date(state.createdAt),
            },
      );
    }
    return runners;
  }

  #dirs(id: string): RunnerDirs {
    const root = join(this.#workDir, id);
    return {
      root,
      workspace: join(root, 'workspace'),
      home: join(root, 'home'),
      tmp: join(root, 'tmp'),
      bin: join(root, 'bin'),
    };
  }
}

/** The suffix of a runner directory being destroyed (never a runner id, so never started again). */
const DESTROYED = '.destroyed';

function destroyedDir(root: string): string {
  return `${root}${DESTROYED}`;
}
