import {
  isFerryError,
  type Logger,
  type PipelineRecord,
  parseRunnerResult,
  ResultLineReader,
  type RunnerProgress,
  type RunnerResult,
  resultKindOf,
  type TestReportSummary,
} from '@ferry/shared';
import type { AlertSink } from '../alerts/alert-sink.js';
import type { Executor, RunnerHandle, StageJob, StageResult } from '../executors/executor.js';
import type { LogStore } from '../logs/log-store.js';
import { maskingSink, maskText } from '../logs/masking-sink.js';
import { imageNotAllowed } from './image-allowlist.js';
import { JobCapture } from './job-capture.js';
import type { TestStageJobs } from './stage-jobs.js';
import type { AdoptRequest, StageOutcome, StageRunner, StageRunRequest } from './stage-runner.js';
import { runTestJobs } from './test-jobs-run.js';

export interface ExecutorStageRunnerDeps {
  executor: Executor;
  logs: Pick<LogStore, 'writer'>;
  logger: Logger;
  /** The job for a stage run (from the resolved plan). Throws a FerryError when it cannot be built. */
  jobFor(request: StageRunRequest): Promise<StageJob>;
  /** The test stage's jobs (each its own runner); without it the test stage runs `jobFor`'s one job. */
  testJobsFor?(request: StageRunRequest): Promise<TestStageJobs>;
  /** Secret values Ferry holds (configuration); masked in every stage log with the job's own. */
  secrets: readonly string[];
  /** `executor.allowedImages`: the images test jobs and services may run in (empty: any). */
  allowedImages?: readonly string[];
  /** How long cleanup (destroy) may take. */
  destroyTimeoutMs?: number;
  /** Called with the `::ferry-result::` a runner subcommand (build, deploy) printed, read by the runner contract. */
  onResult?(pipeline: PipelineRecord, result: RunnerResult, signal: AbortSignal): Promise<void>;
  /** Called, in order, with each `::ferry-progress::` line a runner subcommand printed (canary steps). */
  onProgress?(request: StageRunRequest, progress: RunnerProgress): Promise<void>;
  /** Operational alerts (a runner pending too long). */
  alerts?: Pick<AlertSink, 'runnerPendingTooLong'>;
  /** The reason to give a failed stage, from its result (e.g. "rolled back to …"). */
  reasonFor?(request: StageRunRequest, result: RunnerResult): string | undefined;
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
    let jobs: TestStageJobs;
    try {
      jobs =
        request.stage === 'test' && this.#deps.testJobsFor !== undefined
          ? await this.#deps.testJobsFor(request)
          : { form: 'single', failFast: true, jobs: [await this.#deps.jobFor(request)] };
    } catch (err) {
      const reason = isFerryError(err)
        ? `${err.code}: ${err.message}`
        : `cannot prepare the stage: ${String(err)}`;
      const writer = this.#deps.logs.writer(request.pipeline.id, request.stage);
      writer.system(`ferry: ${reason}`);
      await writer.close();
      return { status: 'failed', reason };
    }
    const handOver: HandOver | undefined = request.handOver === true ? { runners: [] } : undefined;
    const outcome =
      request.stage !== 'test'
        ? outcomeOf(
            await this.#runJob(
              request,
              jobs.jobs[0] as StageJob,
              request.stage,
              request.signal,
              request.onStarted,
              handOver,
            ),
          )
        : await runTestJobs(request, jobs, this.#deps.logs, (job, logKey, signal, onStarted) =>
            this.#runJob(request, job, logKey, signal, onStarted, handOver),
          );
    if (handOver === undefined) return outcome;
    return {
      ...outcome,
      runners: handOver.runners,
      ...(handOver.printed === undefined ? {} : { printed: handOver.printed }),
    };
  }

  async adopt(request: AdoptRequest): Promise<StageOutcome | undefined> {
    const { executor, logs } = this.#deps;
    const { pipeline, stage, runnerId, signal } = request;
    // Mask what the job would have masked: Ferry's secrets and the job's own (when it can be built).
    const jobSecrets = await this.#deps
      .jobFor({ pipeline, stage, attempt: request.attempt, signal, onStarted: async () => {} })
      .then((job) => Object.values(job.secretEnv))
      .catch(() => []);
    const kind = resultKindOf(stage);
    const results = kind === undefined ? undefined : new ResultLineReader();
    const writer = logs.writer(pipeline.id, stage);
    const masked = maskingSink(writer, [...this.#deps.secrets, ...jobSecrets]);
    const sink: typeof masked = {
      write: (stream, chunk) => {
        if (stream === 'stdout') results?.feed(chunk);
        masked.write(stream, chunk);
      },
      flush: () => masked.flush(),
    };
    writer.system(
      `ferry: resuming after a restart: asking the ${executor.kind} executor how runner ${runnerId} (attempt ${request.attempt}) ends (one still running is followed to its end)`,
    );
    try {
      const end = await executor.adopt({ id: runnerId }, sink, signal);
      sink.flush();
      if (!end.finished) {
        writer.system(
          `ferry: runner ${runnerId} never finished (${end.why}): it is removed and the stage runs again`,
        );
        return undefined;
      }
      let outcome: StageOutcome = { ...outcomeOf(end.result), runners: [runnerId] };
      const line = results?.last();
      const read = kind === undefined || line === undefined ? undefined : parseRunnerResult(line, kind);
      if (read?.kind === 'invalid') {
        outcome = { ...outcome, status: 'failed', reason: `${read.error.code}: ${read.error.message}` };
      } else if (read?.kind === 'result') {
        outcome.printed = read.result;
        const reason = this.#deps.reasonFor?.(
          { pipeline, stage, attempt: request.attempt, signal, onStarted: async () => {} },
          read.result,
        );
        if (reason !== undefined && outcome.status === 'failed') outcome.reason = reason;
      }
      writer.system(
        `ferry: adopted runner ${runnerId}: it finished while no Ferry watched it; ${stage} ${outcome.status}${outcome.reason === undefined ? '' : `: ${outcome.reason}`} (not run again)`,
      );
      return outcome;
    } finally {
      await writer.close().catch(() => undefined);
    }
  }

  async record(pipeline: PipelineRecord, printed: RunnerResult, signal: AbortSignal): Promise<void> {
    await this.#deps.onResult?.(pipeline, printed, signal);
  }

  /**
   * One runner: prepare, record it, start, stream the log (masked, reports and coverage taken
   * out for a test job) into `logKey`, wait; cancel on `signal`; destroy in every outcome.
   */
  async #runJob(
    request: StageRunRequest,
    job: StageJob,
    logKey: string,
    signal: AbortSignal,
    onStarted: (runnerId: string) => Promise<void>,
    handOver: HandOver | undefined,
  ): Promise<JobOutcome> {
    const { executor, logs, logger } = this.#deps;
    const writer = logs.writer(request.pipeline.id, logKey);
    // Only build and deploy run Ferry's runner; a test script's output is never read for a result.
    const kind = resultKindOf(request.stage);
    // Progress is recorded in the order printed; a failure to record it never fails the stage.
    let progressed: Promise<void> = Promise.resolve();
    const onProgress = this.#deps.onProgress;
    const results =
      kind === undefined
        ? undefined
        : new ResultLineReader(
            onProgress === undefined
              ? undefined
              : (progress) => {
                  progressed = progressed
                    .then(() => onProgress(request, progress))
                    .catch((err: unknown) => logger.warn({ err }, 'runner progress not recorded'));
                },
          );
    const capture = job.testJob === undefined ? undefined : new JobCapture(job);
    const maskedLog = maskingSink(writer, [...this.#deps.secrets, ...Object.values(job.secretEnv)]);
    const masked = capture === undefined ? maskedLog : capture.wrap(maskedLog);
    const sink: typeof masked = {
      write: (stream, chunk) => {
        if (stream === 'stdout') results?.feed(chunk);
        masked.write(stream, chunk);
      },
      flush: () => masked.flush(),
    };
    const what =
      job.testJob === undefined || logKey === request.stage
        ? request.stage
        : `${request.stage} job ${job.testJob.name}`;
    writer.system(
      `ferry: ${what} of ${request.pipeline.project.path}@${request.pipeline.sha.slice(0, 12)}, attempt ${request.attempt}, ${executor.kind} executor`,
    );
    const log = logger.child({
      pipelineId: request.pipeline.id,
      stage: request.stage,
      attempt: request.attempt,
      ...(job.testJob === undefined ? {} : { job: job.testJob.name }),
    });
    // Checked before any runner exists: a refused image is never pulled or started.
    const refused = imageNotAllowed(job, this.#deps.allowedImages ?? []);
    if (refused !== undefined) {
      writer.system(`ferry: ${refused}`);
      await writer.close();
      return { status: 'failed', reason: refused };
    }
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
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      handle = await executor.prepare(job, signal);
      await onStarted(handle.id);
      if (signal.aborted) {
        result = { status: 'canceled', reason: 'canceled before start' };
      } else {
        await executor.start(handle, signal);
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
        // The log may lag the runner's end (a busy node, a slow Log API): give it time to deliver
        // the last lines, longer when the runner's result line or a test job's reports are among them.
        const tailGraceMs =
          kind === undefined && (job.testJob?.reports.junit ?? null) === null ? 5_000 : 30_000;
        await Promise.race([tail, new Promise((r) => setTimeout(r, tailGraceMs).unref())]);
        if (signal.aborted && result.status !== 'success') result = { ...result, status: 'canceled' };
        const line = results?.last();
        await progressed;
        const read = kind === undefined || line === undefined ? undefined : parseRunnerResult(line, kind);
        if (read?.kind === 'invalid') {
          // An older runner image or a broken line: nothing it says can be recorded, so the stage fails.
          log.warn({ code: read.error.code, err: read.error }, 'runner result line not readable');
          if (result.status !== 'canceled')
            result = { ...result, status: 'failed', reason: `${read.error.code}: ${read.error.message}` };
        } else if (read?.kind === 'result') {
          if (handOver === undefined)
            await this.#deps.onResult?.(request.pipeline, read.result, request.signal);
          else handOver.printed = read.result;
          const reason = this.#deps.reasonFor?.(request, read.result);
          if (reason !== undefined && result.status === 'failed') result = { ...result, reason };
        }
      }
    } catch (err) {
      if (signal.aborted) {
        result = { status: 'canceled', reason: 'canceled' };
      } else {
        const reason = isFerryError(err) ? err.message : `runner error: ${(err as Error).message}`;
        log.warn({ err }, 'stage runner error');
        result = { status: 'failed', reason };
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      tailStop.abort();
      sink.flush();
      if (handle !== undefined && handOver !== undefined) {
        // Kept until the caller has stored the end: a Ferry taking over before that adopts it.
        handOver.runners.push(handle.id);
      } else if (handle !== undefined) {
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
        `ferry: ${what} ${result.status}${result.reason === undefined ? '' : `: ${result.reason}`}`,
      );
      const closed = writer
        .close()
        .catch((err: unknown) => log.error({ err }, 'could not store the end of the log'));
      // Redis away: the log's last lines wait for it, the stage's end does not (the journal keeps it).
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, LOG_CLOSE_WAIT_MS).unref())]);
    }
    const outcome: JobOutcome = outcomeOf(result);
    const report = capture?.report();
    if (report !== undefined) {
      const secrets = [...this.#deps.secrets, ...Object.values(job.secretEnv)];
      report.failures = report.failures.map((f) => ({
        name: maskText(f.name, secrets),
        message: maskText(f.message, secrets),
      }));
      outcome.report = report;
    }
    if (capture?.coverage !== undefined) outcome.coverage = capture.coverage;
    return outcome;
  }

  async destroy(runnerId: string, signal: AbortSignal): Promise<void> {
    await this.#deps.executor.destroy({ id: runnerId }, signal);
  }
}

/** How long a runner's end waits for its log to be stored before the stage ends anyway. */
const LOG_CLOSE_WAIT_MS = 5_000;

/** What a `handOver` run leaves to its caller. */
interface HandOver {
  runners: string[];
  printed?: RunnerResult;
}

/** How one runner ended, with what its log gave (test jobs). */
export interface JobOutcome extends StageOutcome {
  report?: TestReportSummary;
  coverage?: number;
}

function outcomeOf(result: StageOutcome): JobOutcome {
  return result.reason === undefined
    ? { status: result.status }
    : { status: result.status, reason: result.reason };
}
