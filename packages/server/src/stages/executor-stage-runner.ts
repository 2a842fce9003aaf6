import { isFerryError, type Logger } from '@ferry/shared';
import type { AlertSink } from '../alerts/alert-sink.js';
import type { Executor, RunnerHandle, StageJob, StageResult } from '../executors/executor.js';
import type { LogStore } from '../logs/log-store.js';
import { maskingSink } from '../logs/masking-sink.js';
import type { StageOutcome, StageRunner, StageRunRequest } from './stage-runner.js';

export interface ExecutorStageRunnerDeps {
  executor: Executor;
  logs: LogStore;
  logger: Logger;
  /** The job for a stage run (from the resolved plan). Throws a FerryError when it cannot be built. */
  jobFor(request: StageRunRequest): Promise<StageJob>;
  /** Secret values Ferry holds (configuration); masked in every stage log with the job's own. */
  secrets: readonly string[];
  /** How long cleanup (destroy) may take. */
  destroyTimeoutMs?: number;
  /** Called with the `::ferry-result::` object a runner subcommand (build, deploy) printed. */
  onResult?(request: StageRunRequest, result: Record<string, unknown>): Promise<void>;
  /** Operational alerts (a runner pending too long). */
  alerts?: Pick<AlertSink, 'runnerPendingTooLong'>;
  /** The reason to give a failed stage, from its result (e.g. "rolled back to …"). */
  reasonFor?(request: StageRunRequest, result: Record<string, unknown>): string | undefined;
}

/**
 * Runs a stage in an ephemeral runner through an executor: prepare, record the runner, start,
 * stream the log (masked) into the log store, wait; cancel on abort; destroy in every outcome.
 */
export class ExecutorStageRunner implements StageRunner {
  readonly #deps: ExecutorStageRunnerDeps;

  constructor(deps: ExecutorStageRunnerDeps) {
    this.#deps = deps;
  }

  async run(request: StageRunRequest): Promise<StageOutcome> {
    const { executor, logs, logger } = this.#deps;
    const writer = logs.writer(request.pipeline.id, request.stage);
    let job: StageJob;
    try {
      job = await this.#deps.jobFor(request);
    } catch (err) {
      const reason = isFerryError(err)
        ? `${err.code}: ${err.message}`
        : `cannot prepare the stage: ${String(err)}`;
      writer.system(`ferry: ${reason}`);
      await writer.close();
      return { status: 'failed', reason };
    }
    const results = new ResultCapture();
    const masked = maskingSink(writer, [...this.#deps.secrets, ...Object.values(job.secretEnv)]);
    const sink: typeof masked = {
      write: (stream, chunk) => {
        if (stream === 'stdout') results.feed(chunk);
        masked.write(stream, chunk);
      },
      flush: () => masked.flush(),
    };
    writer.system(
      `ferry: ${request.stage} of ${request.pipeline.project.path}@${request.pipeline.sha.slice(0, 12)}, attempt ${request.attempt}, ${executor.kind} executor`,
    );
    const log = logger.child({
      pipelineId: request.pipeline.id,
      stage: request.stage,
      attempt: request.attempt,
    });
    let handle: RunnerHandle | undefined;
    let result: StageResult = { status: 'failed', reason: 'the runner did not start' };
    const tailStop = new AbortController();
    const onAbort = () => {
      if (handle === undefined) return;
      writer.system('ferry: stopping the runner');
      executor
        .cancel(handle, AbortSignal.timeout(10_000))
        .catch((err: unknown) => log.warn({ err }, 'cancel failed'));
    };
    request.signal.addEventListener('abort', onAbort, { once: true });
    try {
      handle = await executor.prepare(job, request.signal);
      await request.onStarted(handle.id);
      if (request.signal.aborted) {
        result = { status: 'canceled', reason: 'canceled before start' };
      } else {
        await executor.start(handle, request.signal);
        const tail = executor.tail(handle, sink, tailStop.signal).catch((err: unknown) => {
          if (!tailStop.signal.aborted)
            writer.system(`ferry: log stream interrupted: ${(err as Error).message}`);
        });
        // Waiting is not cut short by the abort: cancel makes the runner end, and wait reports it.
        result = await executor.wait(handle, AbortSignal.timeout(job.timeoutMs + 120_000));
        if (result.pendingTooLong !== undefined) {
          this.#deps.alerts?.runnerPendingTooLong(request.pipeline, request.stage, {
            pendingMs: result.pendingTooLong.waitedMs,
            reason: result.pendingTooLong.reason,
            events: result.pendingTooLong.events,
            runner: handle.id,
          });
        }
        await Promise.race([tail, new Promise((r) => setTimeout(r, 5_000))]);
        if (request.signal.aborted && result.status !== 'success') result = { ...result, status: 'canceled' };
        const printed = results.last();
        if (printed !== undefined) {
          await this.#deps.onResult?.(request, printed);
          const reason = this.#deps.reasonFor?.(request, printed);
          if (reason !== undefined && result.status === 'failed') result = { ...result, reason };
        }
      }
    } catch (err) {
      if (request.signal.aborted) {
        result = { status: 'canceled', reason: 'canceled' };
      } else {
        const reason = isFerryError(err) ? err.message : `runner error: ${(err as Error).message}`;
        log.warn({ err }, 'stage runner error');
        result = { status: 'failed', reason };
      }
    } finally {
      request.signal.removeEventListener('abort', onAbort);
      tailStop.abort();
      sink.flush();
      if (handle !== undefined) {
        const runner = handle;
        await executor
          .destroy(runner, AbortSignal.timeout(this.#deps.destroyTimeoutMs ?? 60_000))
          .catch((err: unknown) => {
            log.error({ err, runner: runner.id }, 'could not destroy the runner; the reaper will');
            writer.system(
              `ferry: could not remove runner ${runner.id} (${(err as Error).message}); it will be reaped`,
            );
          });
      }
      writer.system(
        `ferry: ${request.stage} ${result.status}${result.reason === undefined ? '' : `: ${result.reason}`}`,
      );
      await writer.close().catch((err: unknown) => log.error({ err }, 'could not store the end of the log'));
    }
    return result.reason === undefined
      ? { status: result.status }
      : { status: result.status, reason: result.reason };
  }

  async destroy(runnerId: string, signal: AbortSignal): Promise<void> {
    await this.#deps.executor.destroy({ id: runnerId }, signal);
  }
}

const resultPrefix = '::ferry-result::';

/** Keeps the last `::ferry-result::` line of stdout (the runner prints it last, at column 0). */
class ResultCapture {
  #partial = '';
  #last: Record<string, unknown> | undefined;

  feed(chunk: string): void {
    const lines = (this.#partial + chunk).split('\n');
    this.#partial = (lines.pop() ?? '').slice(-1_000_000);
    for (const line of lines) this.#take(line);
  }

  last(): Record<string, unknown> | undefined {
    if (this.#partial !== '') this.#take(this.#partial);
    this.#partial = '';
    return this.#last;
  }

  #take(line: string): void {
    if (!line.startsWith(resultPrefix)) return;
    try {
      const parsed: unknown = JSON.parse(line.slice(resultPrefix.length));
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
        this.#last = parsed as Record<string, unknown>;
      }
    } catch {
      // not a result line
    }
  }
}
