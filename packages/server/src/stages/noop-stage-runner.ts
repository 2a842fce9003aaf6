import type { StageOutcome, StageRunner, StageRunRequest } from './stage-runner.js';

export interface NoopStageRunnerOptions {
  /** How long each stage "runs" (dry runs, load tests, crash tests). */
  durationMs?: number;
}

/**
 * The `noop` executor: runs nothing, succeeds after `durationMs`, honours cancel. Like
 * Woodpecker's dummy backend, it lets the orchestration be exercised without runners.
 */
export class NoopStageRunner implements StageRunner {
  readonly #durationMs: number;

  constructor(options: NoopStageRunnerOptions = {}) {
    this.#durationMs = options.durationMs ?? 0;
  }

  async run(request: StageRunRequest): Promise<StageOutcome> {
    await request.onStarted(`noop:${request.pipeline.id}:${request.stage}:${request.attempt}`);
    if (request.signal.aborted) return { status: 'canceled', reason: 'canceled before start' };
    if (this.#durationMs > 0) {
      const ended = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          request.signal.removeEventListener('abort', onAbort);
          resolve(true);
        }, this.#durationMs);
        const onAbort = () => {
          clearTimeout(timer);
          resolve(false);
        };
        request.signal.addEventListener('abort', onAbort, { once: true });
      });
      if (!ended) return { status: 'canceled', reason: 'aborted' };
    }
    return { status: 'success' };
  }

  async destroy(): Promise<void> {}
}
