import { ExecutorErrors, FerryError } from '@ferry/shared';
import { abortable } from '../abort/abortable.js';
import type { LogSink, RunnerHandle, StageResult } from './executor.js';

/** What an executor keeps in memory for a runner it prepared in this process. */
export interface LiveRun {
  readonly started: boolean;
  start(): void;
  readonly output: { drainInto(sink: LogSink, signal: AbortSignal): Promise<void> };
  readonly result: Promise<StageResult>;
}

/**
 * The runners an executor prepared in this process, by id, and the `start`/`tail`/`wait` calls
 * they answer the same way in every executor that drives runs itself (local, docker).
 */
export class LiveRuns<R extends LiveRun> {
  readonly #runs = new Map<string, R>();
  readonly #kind: string;

  constructor(kind: string) {
    this.#kind = kind;
  }

  add(id: string, run: R): void {
    this.#runs.set(id, run);
  }

  get(id: string): R | undefined {
    return this.#runs.get(id);
  }

  delete(id: string): void {
    this.#runs.delete(id);
  }

  /** The run, or FERRY_ERR_EXECUTOR_RUNNER_UNKNOWN naming the action. */
  require(handle: RunnerHandle, action: string): R {
    const run = this.#runs.get(handle.id);
    if (run === undefined) {
      throw new FerryError(ExecutorErrors.EXECUTOR_RUNNER_UNKNOWN, {
        kind: this.#kind,
        id: handle.id,
        action,
      });
    }
    return run;
  }

  start(handle: RunnerHandle, signal: AbortSignal): void {
    signal.throwIfAborted();
    const run = this.require(handle, 'start');
    if (run.started) throw new FerryError(ExecutorErrors.EXECUTOR_ALREADY_STARTED, { id: handle.id });
    run.start();
  }

  tail(handle: RunnerHandle, sink: LogSink, signal: AbortSignal): Promise<void> {
    return this.require(handle, 'tail').output.drainInto(sink, signal);
  }

  wait(handle: RunnerHandle, signal: AbortSignal): Promise<StageResult> {
    return abortable(this.require(handle, 'wait').result, signal);
  }
}
