import { readFileSync } from 'node:fs';
import type { FerryConfig, Logger, ManifestRecord, PipelineRecord, ResolvedPlan } from '@ferry/shared';
import type { StageJob } from '../executors/executor.js';
import type { PipelineStore } from '../store/pipeline-store.js';
import { builderFor } from './builder-choice.js';
import { deployManifests, type PreviousImage } from './deploy-manifests.js';
import type { PlanSource } from './plan-source.js';
import { registryOf } from './registry-settings.js';
import { buildStageJob, buildTestStageJobs, type StageJobContext, type TestStageJobs } from './stage-jobs.js';
import type { StageRunRequest } from './stage-runner.js';

export interface StageJobFactoryDeps {
  config: FerryConfig;
  logger: Logger;
  plans: PlanSource;
  /** Where the rendered manifests of change pod are recorded. */
  store: PipelineStore;
  /** The runner image, for the stages Ferry's runner performs itself. */
  runnerImage: string;
}

/**
 * Plan → stage job → (for deploy) the rendered manifests on the pipeline record. The executor
 * stage runner asks it for each stage run's job.
 */
export class StageJobFactory {
  readonly #deps: StageJobFactoryDeps;

  constructor(deps: StageJobFactoryDeps) {
    this.#deps = deps;
  }

  async jobFor(request: StageRunRequest): Promise<StageJob> {
    const { config, plans, runnerImage } = this.#deps;
    const plan = await plans.planFor(request.pipeline, request.signal);
    const job = buildStageJob(
      request.pipeline,
      plan,
      request.stage,
      request.attempt,
      withoutSecretsFor(request.pipeline, jobContext(config, request.pipeline.environment, runnerImage)),
    );
    // Recorded before the runner starts, so a failed or rolled-back deploy shows what it tried.
    if (request.stage === 'deploy') await this.recordManifests(request.pipeline, plan, null);
    return job;
  }

  /** The test stage's jobs, each its own runner. */
  async testJobsFor(request: StageRunRequest): Promise<TestStageJobs> {
    const { config, plans, runnerImage } = this.#deps;
    const plan = await plans.planFor(request.pipeline, request.signal);
    return buildTestStageJobs(
      request.pipeline,
      plan,
      request.attempt,
      withoutSecretsFor(request.pipeline, jobContext(config, request.pipeline.environment, runnerImage)),
    );
  }

  /**
   * Records the objects change pod applies (deployManifests: the runner's builders and inputs,
   * Secret values redacted, size capped). A plan the runner cannot render either (an image that is
   * not pinned) records nothing: the deploy stage fails and says why.
   */
  async recordManifests(
    pipeline: PipelineRecord,
    plan: ResolvedPlan,
    previous: PreviousImage | null,
  ): Promise<void> {
    let manifests: ManifestRecord[];
    try {
      manifests = deployManifests(pipeline, plan, registryOf(this.#deps.config), previous);
    } catch (err) {
      this.#deps.logger.info({ pipelineId: pipeline.id, err }, 'deploy manifests not rendered');
      return;
    }
    await this.#deps.store.patch(pipeline.id, { manifests });
  }
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
    builder: builderFor(config),
    ...(config.executor.kind === 'docker' ? { dockerSocket: config.executor.docker.socketPath } : {}),
    kube,
  };
}

/** A fork's merge request runs with none of Ferry's secrets: no clone token, no registry password. */
function withoutSecretsFor(pipeline: { withoutSecrets?: boolean }, ctx: StageJobContext): StageJobContext {
  if (pipeline.withoutSecrets !== true) return ctx;
  const { cloneToken: _token, registry, kube: _kube, ...rest } = ctx;
  if (registry === undefined) return rest;
  const { password: _password, ...openRegistry } = registry;
  return { ...rest, registry: openRegistry };
}
