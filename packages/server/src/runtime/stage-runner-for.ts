import { readFileSync } from 'node:fs';
import type { FerryConfig, Logger, StageName } from '@ferry/shared';
import type { AlertSink } from '../alerts/alert-sink.js';
import type { Executor } from '../executors/executor.js';
import type { LogStore } from '../logs/log-store.js';
import { ExecutorStageRunner } from '../stages/executor-stage-runner.js';
import { NoopStageRunner } from '../stages/noop-stage-runner.js';
import {
  noOverrides,
  type OverrideSource,
  type PlanSource,
  TemplatePlanSource,
} from '../stages/plan-source.js';
import { ResultRecorder } from '../stages/result-recorder.js';
import { StageJobFactory } from '../stages/stage-job-factory.js';
import { stageTimeoutMs } from '../stages/stage-jobs.js';
import type { StageRunner } from '../stages/stage-runner.js';
import type { PipelineStore } from '../store/pipeline-store.js';
import { templatePath } from './environments-from-config.js';

export interface StageRunnerDeps {
  config: FerryConfig;
  logger: Logger;
  logs: LogStore;
  /** Secret values of Ferry's configuration, masked in every stage log. */
  secrets: readonly string[];
  overrides?: OverrideSource;
  /** An executor to use instead of the configured one (tests). */
  executor?: Executor;
  /** Where build and deploy results (image, rollout) are recorded. */
  store: PipelineStore;
  alerts?: Pick<AlertSink, 'runnerPendingTooLong'>;
}

export interface StageRunnerSetup {
  runner: StageRunner;
  /** The executor behind the runner (absent for `noop`): the reaper lists and destroys through it. */
  executor?: Executor;
  plans?: PlanSource;
  /** The stage's timeout from the resolved plan, else the configured default. */
  timeoutMs(pipeline: Parameters<PlanSource['planFor']>[0], stage: StageName): Promise<number>;
  /** The stages the plan runs; undefined when every stage runs (noop) or the plan cannot be made. */
  stagesToRun(pipeline: Parameters<PlanSource['planFor']>[0]): Promise<readonly StageName[] | undefined>;
}

/**
 * The executor for `executor.kind`, its module loaded only now: the Kubernetes client alone adds
 * about 70 MB to the process, and every child process a stage starts forks the whole process.
 */
export async function executorFor(config: FerryConfig): Promise<Executor | undefined> {
  switch (config.executor.kind) {
    case 'local': {
      const { LocalExecutor, resolveStageUser } = await import('../executors/local/index.js');
      const runAs = resolveStageUser(config.executor.local.user);
      return new LocalExecutor({
        workDir: config.executor.local.workDir,
        ...(runAs === undefined ? {} : { runAs }),
      });
    }
    case 'docker': {
      const { DockerExecutor } = await import('../executors/docker/index.js');
      return new DockerExecutor({
        owner: config.redis.keyPrefix,
        socketPath: config.executor.docker.socketPath,
        runnerImage: config.executor.docker.runnerImage,
        cacheMaxBytes: config.executor.docker.cacheMaxBytes,
        ...(config.executor.docker.buildCache === undefined
          ? {}
          : { buildCache: config.executor.docker.buildCache }),
        ...(config.executor.docker.buildSeccompProfile === undefined
          ? {}
          : { buildSeccompProfile: config.executor.docker.buildSeccompProfile }),
        ...(config.registry.endpoint !== undefined &&
        config.registry.username !== undefined &&
        config.registry.password !== undefined
          ? {
              registryAuth: {
                serveraddress: config.registry.endpoint,
                username: config.registry.username,
                password: config.registry.password.reveal(),
              },
            }
          : {}),
      });
    }
    case 'kubernetes': {
      const { KubernetesExecutor } = await import('../executors/kubernetes/index.js');
      return new KubernetesExecutor({
        config: config.executor.kubernetes,
        owner: config.redis.keyPrefix,
        namespaceLabels: config.namespaceLabels,
      });
    }
    case 'noop':
      return undefined;
  }
}

/** The stage runner for the configured executor, with the plans its jobs come from. */
export async function stageRunnerFor(deps: StageRunnerDeps): Promise<StageRunnerSetup> {
  const { config } = deps;
  const fallback = (stage: StageName) => config.pipelines.stageTimeout[stage];
  const executor = deps.executor ?? (await executorFor(config));
  if (executor === undefined) {
    if (config.executor.kind !== 'noop') {
      deps.logger.warn({ executor: config.executor.kind }, 'executor not available: stages run as no-ops');
    }
    return {
      runner: new NoopStageRunner({ durationMs: config.executor.noop.stageDuration }),
      timeoutMs: async (_pipeline, stage) => fallback(stage),
      stagesToRun: async () => undefined,
    };
  }
  const path = templatePath(config);
  const plans = new TemplatePlanSource(
    { text: readFileSync(path, 'utf8'), file: path },
    deps.overrides ?? noOverrides,
    config.namespaceLabels,
  );
  const runnerImage =
    config.executor.kind === 'kubernetes'
      ? config.executor.kubernetes.runnerImage
      : config.executor.docker.runnerImage;
  const jobs = new StageJobFactory({ config, logger: deps.logger, plans, store: deps.store, runnerImage });
  const results = new ResultRecorder({ store: deps.store, logger: deps.logger, plans, jobs });
  const runner = new ExecutorStageRunner({
    executor,
    logs: deps.logs,
    logger: deps.logger,
    secrets: deps.secrets,
    allowedImages: config.executor.allowedImages,
    ...(deps.alerts === undefined ? {} : { alerts: deps.alerts }),
    jobFor: (request) => jobs.jobFor(request),
    testJobsFor: (request) => jobs.testJobsFor(request),
    onResult: (pipeline, result, signal) => results.record(pipeline, result, signal),
    onProgress: (request, progress) => results.progress(request, progress),
    reasonFor: (_request, result) => results.reasonFor(result),
  });
  return {
    runner,
    executor,
    plans,
    stagesToRun: async (pipeline) => {
      try {
        return (await plans.planFor(pipeline, AbortSignal.timeout(10_000))).stages;
      } catch {
        // The first stage reports why the plan cannot be made.
        return undefined;
      }
    },
    timeoutMs: async (pipeline, stage) => {
      try {
        return stageTimeoutMs(await plans.planFor(pipeline, AbortSignal.timeout(10_000)), stage);
      } catch {
        return fallback(stage);
      }
    },
  };
}
