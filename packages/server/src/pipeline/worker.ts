import { isFerryError, type Logger, PipelineErrors } from '@ferry/shared';
import { type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { type PipelineJobData, type PipelineJobName, pipelineQueueName } from '../queue/pipeline-queue.js';
import { expireApproval } from './actions.js';
import type { CancelSignals } from './cancel-signals.js';
import type { EnvironmentMap } from './environment-map.js';
import { recoverPipelines } from './recover.js';
import { endPipeline, type RunDeps, runPipeline } from './run.js';

export interface PipelineWorkerOptions {
  connection: Redis;
  prefix: string;
  /** Pipelines this process runs at once. */
  concurrency: number;
  /** How long a job's lock lives without renewal; a dead worker's pipelines resume after it. */
  lockDurationMs: number;
  /** How often recovery sweeps for pipelines no job carries. */
  recoveryIntervalMs: number;
}

export interface PipelineWorkerDeps extends RunDeps {
  cancels: CancelSignals;
  environments: EnvironmentMap;
  logger: Logger;
}

/** The BullMQ worker that runs pipelines, with crash recovery on start and at intervals. */
export class PipelineWorker {
  readonly #worker: Worker<PipelineJobData, unknown, PipelineJobName>;
  readonly #deps: PipelineWorkerDeps;
  readonly #recovery: NodeJS.Timeout;
  #running = true;
  /**
   * The run of each pipeline in this process (what a shutdown that cannot wait leaves to recovery).
   * A job BullMQ delivers again while its pipeline still runs here (its lock expired while Redis
   * was away, and Redis came back from its AOF without it) waits for that run, never runs beside it.
   */
  readonly #runs = new Map<string, Promise<void>>();

  private constructor(deps: PipelineWorkerDeps, options: PipelineWorkerOptions) {
    this.#deps = deps;
    this.#worker = new Worker<PipelineJobData, unknown, PipelineJobName>(
      pipelineQueueName,
      (job) => this.#process(job),
      {
        connection: options.connection,
        prefix: options.prefix,
        concurrency: options.concurrency,
        lockDuration: options.lockDurationMs,
        stalledInterval: Math.max(1_000, Math.floor(options.lockDurationMs / 2)),
        maxStalledCount: 10,
        autorun: false,
      },
    );
    this.#worker.on('failed', (job, err) => void this.#onFailed(job, err));
    this.#worker.on('error', (err) => deps.logger.error({ err }, 'pipeline worker error'));
    this.#recovery = setInterval(() => void this.recover(), options.recoveryIntervalMs);
    this.#recovery.unref();
  }

  static async start(deps: PipelineWorkerDeps, options: PipelineWorkerOptions): Promise<PipelineWorker> {
    const worker = new PipelineWorker(deps, options);
    await worker.recover();
    void worker.#worker.run().catch((err: unknown) => deps.logger.error({ err }, 'pipeline worker stopped'));
    await worker.#worker.waitUntilReady();
    return worker;
  }

  /** The pipelines being run by this worker now. */
  inFlight(): string[] {
    return [...this.#runs.keys()];
  }

  isRunning(): boolean {
    return this.#running && this.#worker.isRunning();
  }

  async recover(): Promise<void> {
    try {
      await recoverPipelines(this.#deps);
    } catch (err) {
      this.#deps.logger.error({ err }, 'recovery sweep failed');
    }
  }

  async #process(job: Job<PipelineJobData, unknown, PipelineJobName>): Promise<void> {
    const { pipelineId } = job.data;
    if (job.name === 'approval-timeout') {
      await expireApproval(this.#deps, pipelineId);
      return;
    }
    const earlier = this.#runs.get(pipelineId);
    if (earlier !== undefined)
      this.#deps.logger.warn(
        { pipelineId, job: job.id },
        'pipeline job delivered again while this process still runs the pipeline (its lock was lost): it resumes after that run',
      );
    const run = this.#runAfter(earlier, pipelineId);
    this.#runs.set(pipelineId, run);
    try {
      await run;
    } finally {
      if (this.#runs.get(pipelineId) === run) this.#runs.delete(pipelineId);
    }
  }

  /** Runs (resumes) a pipeline once `earlier` (this process's run of it, if any) has settled. */
  async #runAfter(earlier: Promise<void> | undefined, pipelineId: string): Promise<void> {
    // The earlier run's failure is its own job's: this one resumes from what the store holds.
    if (earlier !== undefined) await earlier.catch(() => undefined);
    const signal = this.#deps.cancels.acquire(pipelineId);
    try {
      await runPipeline(this.#deps, pipelineId, signal);
    } finally {
      this.#deps.cancels.release(pipelineId);
    }
  }

  async #onFailed(
    job: Job<PipelineJobData, unknown, PipelineJobName> | undefined,
    err: Error,
  ): Promise<void> {
    if (job === undefined || job.name !== 'run') return;
    if (isFerryError(err) && err.code === PipelineErrors.STAGE_END_PENDING.code) {
      // The stage's end waits in the journal: the next Ferry stores it and resumes the pipeline.
      this.#deps.logger.warn(
        { pipelineId: job.data.pipelineId, err: err.message },
        'pipeline left for recovery',
      );
      return;
    }
    this.#deps.logger.error({ err, pipelineId: job.data.pipelineId }, 'pipeline job failed');
    const pipeline = await this.#deps.store.get(job.data.pipelineId).catch(() => undefined);
    if (pipeline === undefined) return;
    await endPipeline(this.#deps, pipeline, 'failed', `internal error: ${err.message}`).catch((e: unknown) =>
      this.#deps.logger.error({ err: e }, 'could not end a failed pipeline'),
    );
  }

  /**
   * Stops taking jobs and waits up to `drainMs` for running pipelines to end. Pipelines still
   * running after that are left to the lock: another replica (or this one restarted) resumes them.
   */
  async close(drainMs: number): Promise<void> {
    this.#running = false;
    clearInterval(this.#recovery);
    const graceful = this.#worker.close();
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), drainMs).unref());
    if ((await Promise.race([graceful.then(() => 'closed' as const), timer])) === 'timeout') {
      this.#deps.logger.warn({ drainMs }, 'drain timed out: leaving running pipelines to be resumed');
      await this.#worker.close(true);
    }
  }
}
