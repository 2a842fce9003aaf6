import { readFileSync } from 'node:fs';
import type {
  FerryConfig,
  Logger,
  ManifestRecord,
  PipelineRecord,
  ResolvedPlan,
  StageName,
} from '@ferry/shared';
import type { AlertSink } from '../alerts/alert-sink.js';
import type { Executor } from '../executors/executor.js';
import type { LogStore } from '../logs/log-store.js';
import { deployManifests, type PreviousImage, previousFromResult } from '../stages/deploy-manifests.js';
import { ExecutorStageRunner } from '../stages/executor-stage-runner.js';
import { NoopStageRunner } from '../stages/noop-stage-runner.js';
import {
  noOverrides,
  type OverrideSource,
  type PlanSource,
  TemplatePlanSource,
} from '../stages/plan-source.js';
import { buildStageJob, type StageJobContext, stageTimeoutMs } from '../stages/stage-jobs.js';
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
      const { LocalExecutor } = await import('../executors/local/index.js');
      return new LocalExecutor({ workDir: config.executor.local.workDir });
    }
    case 'docker': {
      const { DockerExecutor } = await import('../executors/docker/index.js');
      return new DockerExecutor({
        owner: config.redis.keyPrefix,
        socketPath: config.executor.docker.socketPath,
        runnerImage: config.executor.docker.runnerImage,
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
      return new KubernetesExecutor({ config: config.executor.kubernetes, owner: config.redis.keyPrefix });
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
  );
  const runnerImage =
    config.executor.kind === 'kubernetes'
      ? config.executor.kubernetes.runnerImage
      : config.executor.docker.runnerImage;
  const runner = new ExecutorStageRunner({
    executor,
    logs: deps.logs,
    logger: deps.logger,
    secrets: deps.secrets,
    ...(deps.alerts === undefined ? {} : { alerts: deps.alerts }),
    onResult: async (request, result) => {
      await recordResult(deps.store, request.pipeline.id, request.stage, result);
      const previous = request.stage === 'deploy' ? previousFromResult(result) : undefined;
      if (previous === undefined) return;
      // The runner read what runs now: the record gets the previous-release annotations it applied.
      try {
        await recordManifests(
          deps,
          request.pipeline,
          await plans.planFor(request.pipeline, request.signal),
          previous,
        );
      } catch (err) {
        deps.logger.warn({ pipelineId: request.pipeline.id, err }, 'deploy manifests not recorded again');
      }
    },
    reasonFor: (_request, result) => {
      const back = result.rolledBackTo;
      if (typeof back === 'string') return `rollout failed: rolled back to ${back.slice(0, 12)}`;
      return resultError(result.error);
    },
    jobFor: async (request) => {
      const plan = await plans.planFor(request.pipeline, request.signal);
      const job = buildStageJob(
        request.pipeline,
        plan,
        request.stage,
        request.attempt,
        jobContext(config, request.pipeline.environment, runnerImage),
      );
      // Recorded before the runner starts, so a failed or rolled-back deploy shows what it tried.
      if (request.stage === 'deploy') await recordManifests(deps, request.pipeline, plan, null);
      return job;
    },
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

/** What stage jobs need from the configuration: tokens, registry, allowlist, daemon, cluster. */
export function jobContext(config: FerryConfig, environment: string, runnerImage: string): StageJobContext {
  const token = config.gitlab.token?.reveal();
  const registry = registryOf(config);
  const password = config.registry.password;
  const cluster = config.deploy.environments[environment] ?? {};
  const kubeconfigPath = cluster.kubeconfig ?? config.deploy.kubeconfig;
  const context = cluster.context ?? config.deploy.context;
  const kube: NonNullable<StageJobContext['kube']> = {};
  if (kubeconfigPath !== undefined) kube.kubeconfig = readFileSync(kubeconfigPath, 'utf8');
  if (context !== undefined) kube.context = context;
  return {
    owner: config.redis.keyPrefix,
    runnerImage,
    allowedBaseImages: config.build.allowedBaseImages,
    ...(token === undefined ? {} : { cloneToken: token }),
    ...(registry === undefined
      ? {}
      : { registry: { ...registry, ...(password === undefined ? {} : { password: password.reveal() }) } }),
    ...(config.build.dockerHost === undefined ? {} : { dockerHost: config.build.dockerHost }),
    ...(config.executor.kind === 'docker' ? { dockerSocket: config.executor.docker.socketPath } : {}),
    kube,
  };
}

/**
 * Records the objects change pod applies (deployManifests: the runner's builders and inputs,
 * Secret values redacted, size capped). A plan the runner cannot render either (an image that is
 * not pinned) records nothing: the deploy stage fails and says why.
 */
async function recordManifests(
  deps: StageRunnerDeps,
  pipeline: PipelineRecord,
  plan: ResolvedPlan,
  previous: PreviousImage | null,
): Promise<void> {
  let manifests: ManifestRecord[];
  try {
    manifests = deployManifests(pipeline, plan, registryOf(deps.config), previous);
  } catch (err) {
    deps.logger.info({ pipelineId: pipeline.id, err }, 'deploy manifests not rendered');
    return;
  }
  await deps.store.patch(pipeline.id, { manifests });
}

/** The registry of stage jobs without its password (jobContext adds it; manifests never need it). */
function registryOf(config: FerryConfig): StageJobContext['registry'] {
  const { endpoint, username } = config.registry;
  return endpoint === undefined ? undefined : { endpoint, ...(username === undefined ? {} : { username }) };
}

/** A result line's `error` as a stage reason: the runner prints `{ code, message }`. */
function resultError(error: unknown): string | undefined {
  if (typeof error === 'string') return error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof message !== 'string') return undefined;
  return typeof code === 'string' ? `${code}: ${message}` : message;
}

/** Records what build (the pushed image) and deploy (the rollout) reported on the pipeline. */
async function recordResult(
  store: PipelineStore,
  pipelineId: string,
  stage: StageName,
  result: Record<string, unknown>,
): Promise<void> {
  const text = (key: string) => (typeof result[key] === 'string' ? (result[key] as string) : undefined);
  if (stage === 'build') {
    const reference = text('reference');
    const digest = text('digest');
    if (reference === undefined || digest === undefined) return;
    const tags = Array.isArray(result.tags)
      ? result.tags.filter((t): t is string => typeof t === 'string')
      : [];
    await store.patch(pipelineId, { image: { reference, digest, tags } });
  } else if (stage === 'deploy') {
    const release: NonNullable<Parameters<PipelineStore['patch']>[1]['release']> = {};
    const deployed = text('deployed');
    const namespace = text('namespace');
    if (deployed !== undefined) release.deployed = deployed;
    if (namespace !== undefined) release.namespace = namespace;
    if (result.revision !== undefined) release.revision = String(result.revision);
    if ('rolledBackTo' in result)
      release.rolledBackTo = typeof result.rolledBackTo === 'string' ? result.rolledBackTo : null;
    await store.patch(pipelineId, { release });
  }
}
