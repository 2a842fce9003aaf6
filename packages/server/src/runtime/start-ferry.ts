import type { FerryConfig, Logger } from '@ferry/shared';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../app/server-context.js';
import { buildApp } from '../build-app.js';
import type { Executor } from '../executors/executor.js';
import { type BranchAccessResult, checkStatusAccess } from '../gitlab/access/check-status-access.js';
import { createGitLabApi, gitlabConfigured } from '../gitlab/api/gitlab-api.js';
import { GitLabOverrideSource } from '../gitlab/ferry-file-source.js';
import type { History } from '../history/build-history.js';
import { CancelSignals } from '../pipeline/cancel-signals.js';
import type { EnvironmentMap } from '../pipeline/environment-map.js';
import { reapRunners } from '../pipeline/reaper.js';
import { applyStageEnd, settleStageEnd } from '../pipeline/stage-ends/settle-stage-end.js';
import { StageEndJournal } from '../pipeline/stage-ends/stage-end-journal.js';
import { PipelineWorker } from '../pipeline/worker.js';
import { connectRedis } from '../redis/connect.js';
import type { StageRunner } from '../stages/stage-runner.js';
import { type BuildContextOptions, type BuiltContext, buildServerContext } from './build-context.js';
import { type StageRunnerSetup, stageRunnerFor } from './stage-runner-for.js';

export interface StartFerryOptions {
  config: FerryConfig;
  logger: Logger;
  redisUrl: string;
  environments: EnvironmentMap;
  /** Run the worker in this process (default true); false serves HTTP only. */
  worker?: boolean;
  /** Overrides the runner chosen from `executor.kind` (tests). */
  runner?: StageRunner;
  /** Overrides the executor chosen from `executor.kind` (tests). */
  executor?: Executor;
  /** Secret values of the configuration, masked in stage logs (from loadConfig). */
  secrets?: readonly string[];
  defaultMetrics?: boolean;
  /** Reporting seams tests replace (see BuildContextOptions). */
  reporting?: BuildContextOptions['reporting'];
}

export interface RunningFerry {
  app: FastifyInstance;
  ctx: ServerContext;
  worker: PipelineWorker | undefined;
  /** The archive: its store, and the archiver moving finished pipelines into it. */
  history: History;
  /**
   * The start-up check that GitLab lets the token post statuses on each environment branch of each
   * configured project (empty when GitLab reporting is off).
   */
  accessCheck: Promise<BranchAccessResult[]>;
  /** Stops taking work, drains up to the configured time, closes everything. */
  close(): Promise<void>;
}

/** Builds one Ferry process: HTTP app, and (by default) the worker, over one Redis. */
export async function startFerry(options: StartFerryOptions): Promise<RunningFerry> {
  const { config, logger } = options;
  const built: BuiltContext = await buildServerContext(options);
  const ctx = built.ctx;
  // Before the worker, so the first start's reporting cursor precedes every transition it makes.
  await built.reporting.start();
  // Migrates the archive and moves what a previous Ferry left in Redis; never blocks start-up.
  built.history.archiver.start();
  const closing = new AbortController();
  const accessCheck =
    gitlabConfigured(config) && config.reporting.enabled
      ? checkStatusAccess(
          createGitLabApi(config, 'check the token’s access to environment branches'),
          Object.keys(config.gitlab.projects),
          options.environments.branches(),
          logger.child({ component: 'gitlab-access' }),
          closing.signal,
        ).catch((err: unknown) => {
          if (!closing.signal.aborted)
            logger.warn({ err: (err as Error).message }, 'gitlab: access check failed');
          return [];
        })
      : Promise.resolve([]);
  let worker: PipelineWorker | undefined;
  let reaper: { stop(): Promise<void> } | undefined;
  let cancels: CancelSignals | undefined;
  let journal: StageEndJournal | undefined;
  const redisError = (err: Error) => logger.warn({ err: err.message }, 'Redis connection error');
  const workerConnection = connectRedis(options.redisUrl, 'worker', {}, redisError);
  if (options.worker !== false) {
    cancels = new CancelSignals(ctx.cancelChannel);
    await cancels.listen(connectRedis(options.redisUrl, 'worker', {}, redisError));
    if (config.limits.globalConcurrency !== undefined) {
      await ctx.queue.queue.setGlobalConcurrency(config.limits.globalConcurrency);
    }
    const setup: StageRunnerSetup = await stageRunnerFor({
      config,
      logger,
      logs: ctx.logs,
      store: ctx.store,
      alerts: ctx.alerts,
      secrets: options.secrets ?? [],
      ...(options.executor === undefined ? {} : { executor: options.executor }),
      // The project's own pipeline file (pipelines.overrideFile) at the pipeline's commit.
      ...(gitlabConfigured(config)
        ? {
            overrides: new GitLabOverrideSource({
              api: createGitLabApi(config, 'read the project pipeline file'),
              file: config.pipelines.overrideFile,
            }),
          }
        : {}),
    });
    const runner = options.runner ?? setup.runner;
    const endDeps = { store: ctx.store, runner, observer: ctx.observer, logger };
    journal = new StageEndJournal({
      dir: config.redis.journalDir,
      logger: logger.child({ component: 'stage-end-journal' }),
      apply: (entry) => applyStageEnd(endDeps, entry),
      settled: (entry, ended) => settleStageEnd(endDeps, entry, ended),
    });
    // What an earlier Ferry could not store goes to Redis before anything runs again.
    await journal.replay();
    if (options.runner === undefined && setup.executor !== undefined) {
      reaper = startReaper(setup.executor, ctx, logger, config.limits.recoveryInterval);
    }
    worker = await PipelineWorker.start(
      {
        store: ctx.store,
        queue: ctx.queue,
        runner,
        logger,
        observer: ctx.observer,
        environments: ctx.environments,
        cancels,
        stageTimeoutMs: (pipeline, stage) => setup.timeoutMs(pipeline, stage),
        stagesToRun: (pipeline) => setup.stagesToRun(pipeline),
        approvalTimeoutMs: () => config.pipelines.approvalTimeout,
        stageEnds: journal,
      },
      {
        connection: workerConnection,
        prefix: `${config.redis.keyPrefix}:bull`,
        concurrency: config.limits.concurrency,
        lockDurationMs: config.limits.lockDuration,
        recoveryIntervalMs: config.limits.recoveryInterval,
      },
    );
    const running = worker;
    ctx.readinessChecks = [() => (running.isRunning() ? null : 'worker: not running')];
  }
  const app = await buildApp(ctx);
  return {
    app,
    ctx,
    worker,
    history: built.history,
    accessCheck,
    async close() {
      closing.abort();
      // Stage ends still waiting for Redis stay in the journal instead of holding the drain.
      journal?.close();
      await accessCheck;
      await app.close();
      // Most of drainTimeout for the pipelines; `ferry serve` ends the process at drainTimeout itself.
      await worker?.close(Math.floor(config.limits.drainTimeout * 0.8));
      await reaper?.stop();
      await cancels?.close();
      await workerConnection.quit().catch(() => undefined);
      await built.close();
    },
  };
}

/** Reaps orphaned runners at start and then every `intervalMs` (a crash never leaves runners behind). */
function startReaper(
  executor: Executor,
  ctx: ServerContext,
  logger: Logger,
  intervalMs: number,
): { stop(): Promise<void> } {
  const stop = new AbortController();
  let running: Promise<unknown> = Promise.resolve();
  const sweep = () => {
    running = reapRunners({ executor, store: ctx.store, logger }, stop.signal).catch((err: unknown) =>
      logger.warn({ err }, 'reaper sweep failed'),
    );
  };
  sweep();
  const timer = setInterval(sweep, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      stop.abort();
      await running;
    },
  };
}
