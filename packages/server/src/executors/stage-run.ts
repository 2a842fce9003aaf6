import { formatDuration } from '@ferry/shared';
import type { StageResult } from './executor.js';

export type StopReason = 'canceled' | 'timeout' | 'destroyed';

/** How a stage ended when Ferry stopped it. Pure. */
export function stoppedResult(why: StopReason, timeoutMs: number): StageResult {
  if (why === 'timeout') return { status: 'failed', reason: `timed out after ${formatDuration(timeoutMs)}` };
  return { status: 'canceled', reason: why === 'destroyed' ? 'destroyed' : 'canceled' };
}

/** What a run needs of its output: the executor's own lines, and the end. */
interface RunOutput {
  system(text: string): void;
  close(): void;
}

/**
 * The life of one runner of the local and docker executors: started once, stopped at most once
 * (cancel, timeout, destroy; before its start too), finished once with one result. The stage
 * timeout is enforced here; subclasses bring what the runner does (`drive`) and how a running
 * one is halted (`halt`).
 */
export abstract class StageRun<Output extends RunOutput> {
  readonly result: Promise<StageResult>;
  /** Resolves when `drive` has returned (destroy waits for it before removing what it made). */
  settled: Promise<void> = Promise.resolve();
  #resolve!: (result: StageResult) => void;
  #started = false;
  #finished = false;
  #stop: StopReason | undefined;
  #timer: NodeJS.Timeout | undefined;

  protected constructor(
    readonly output: Output,
    protected readonly timeoutMs: number,
  ) {
    this.result = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  get started(): boolean {
    return this.#started;
  }

  /** Why the run was stopped, once it was. */
  protected get stopReason(): StopReason | undefined {
    return this.#stop;
  }

  start(): void {
    this.#started = true;
    if (this.#stop !== undefined) {
      this.finishStopped();
      return;
    }
    this.#timer = setTimeout(() => this.stop('timeout'), this.timeoutMs);
    this.settled = this.drive().catch((err: Error) => {
      if (this.#stop !== undefined) return this.finishStopped();
      this.fail(this.failure(err));
    });
  }

  /** Stops the run: before its start it just ends; afterwards `halt` stops what runs. */
  stop(why: StopReason): void {
    if (this.#finished || this.#stop !== undefined) return;
    this.#stop = why;
    if (why === 'timeout') {
      this.output.system(`ferry: the stage timed out after ${formatDuration(this.timeoutMs)}; stopping it`);
    } else if (why === 'canceled') {
      this.output.system('ferry: canceled; stopping the stage');
    }
    if (!this.#started) {
      this.finishStopped();
      return;
    }
    this.halt(why);
  }

  /** What the runner does, from its start to `finish`. */
  protected abstract drive(): Promise<void>;
  /** Stops what runs now (`stop` was called after the start). */
  protected abstract halt(why: StopReason): void;
  /** The reason for a failure `drive` threw. */
  protected abstract failure(err: Error): string;
  /** Frees what the run holds besides its timeout (grace timers); called once, on finishing. */
  protected onFinish(): void {}

  protected finishStopped(): void {
    this.finish(stoppedResult(this.#stop ?? 'canceled', this.timeoutMs));
  }

  protected fail(reason: string): void {
    this.output.system(`ferry: ${reason}`);
    this.finish({ status: 'failed', reason });
  }

  protected finish(result: StageResult): void {
    if (this.#finished) return;
    this.#finished = true;
    clearTimeout(this.#timer);
    this.onFinish();
    this.output.close();
    this.#resolve(result);
  }
}
