import { authFileJson, BUILDAH_AUTH_FILE, type Builder } from '@ferry/runner';
import {
  deployTimeBudgetMs,
  type PipelineRecord,
  placeholderEnvironment,
  type ResolvedPlan,
  type ResolvedTestJob,
  RUNNER_CONTRACT_VERSION,
  RunnerEnv,
  type StageName,
} from '@ferry/shared';
import type { StageJob } from '../executors/executor.js';
import { deployMeta } from './deploy-manifests.js';
import type { RegistrySettings } from './registry-settings.js';
import { testJobExtras } from './test-job-extras.js';

export interface StageJobContext {
  /** The Ferry installation (its Redis key prefix), recorded on every runner. */
  owner?: string;
  /** The clone token (GitLab), a secret: given to the runner in the environment only. */
  cloneToken?: string;
  /** The runner image, for the stages Ferry's runner performs itself (build, deploy). */
  runnerImage: string;
  /** The private registry images are pushed to and pulled from. */
  registry?: RegistrySettings;
  /** Base-image allowlist patterns (empty: all allowed). */
  allowedBaseImages: readonly string[];
  /** DOCKER_HOST for the build stage; unset: the executor's default daemon. */
  dockerHost?: string;
  /** How the build stage builds (`build.builder`, resolved by builderFor). */
  builder?: Builder;
  /** The host's Docker socket, mounted into a docker-executor build step. */
  dockerSocket?: string;
  /** The cluster change pod deploys to: kubeconfig content (a secret) and context; none: in-cluster. */
  kube?: { kubeconfig?: string; context?: string };
}

/**
 * Which of Ferry's secrets each stage's runner receives. The test stage runs the project's own
 * script, so it gets none but the clone token its checkout uses; build pushes (registry password);
 * deploy writes the pull secret and talks to the cluster (registry password, kubeconfig).
 */
export const stageSecrets: Readonly<
  Record<StageName, { cloneToken: boolean; registryPassword: boolean; kubeconfig: boolean }>
> = {
  test: { cloneToken: true, registryPassword: false, kubeconfig: false },
  build: { cloneToken: true, registryPassword: true, kubeconfig: false },
  deploy: { cloneToken: false, registryPassword: true, kubeconfig: true },
};

/**
 * The job for one stage of a pipeline, from its resolved plan. Pure. Branch names and commit
 * titles reach the runner only as environment variables, never inside a script. Build and deploy
 * run Ferry's runner (`ferry-runner build|deploy`) in the runner image.
 */
export function buildStageJob(
  pipeline: PipelineRecord,
  plan: ResolvedPlan,
  stage: StageName,
  attempt: number,
  ctx: StageJobContext,
): StageJob {
  const env: Record<string, string> = {
    ...placeholderEnvironment(plan.placeholders),
    [RunnerEnv.contractVersion]: String(RUNNER_CONTRACT_VERSION),
    [RunnerEnv.pipelineId]: pipeline.id,
    [RunnerEnv.stage]: stage,
    [RunnerEnv.ref]: pipeline.ref,
    [RunnerEnv.cloneUrl]: pipeline.project.cloneUrl,
    CI: 'true',
  };
  // Each stage gets exactly the secrets it needs (stageSecrets): the clone token where it checks
  // out, the registry password where it pushes or writes the pull secret, the kubeconfig to deploy.
  const secretEnv: Record<string, string> = {};
  const needs = stageSecrets[stage];
  if (ctx.cloneToken !== undefined && needs.cloneToken) secretEnv[RunnerEnv.cloneToken] = ctx.cloneToken;
  const base = {
    pipelineId: pipeline.id,
    stage,
    attempt,
    project: { id: pipeline.project.id, path: pipeline.project.path, cloneUrl: pipeline.project.cloneUrl },
    ref: pipeline.ref,
    sha: pipeline.sha,
    ...(ctx.owner === undefined ? {} : { owner: ctx.owner }),
  };
  const registryEnv: Record<string, string> = {};
  if (ctx.registry !== undefined) {
    registryEnv[RunnerEnv.registry] = ctx.registry.endpoint;
    if (ctx.registry.username !== undefined) registryEnv[RunnerEnv.registryUser] = ctx.registry.username;
    if (ctx.registry.password !== undefined && needs.registryPassword)
      secretEnv[RunnerEnv.registryPassword] = ctx.registry.password;
  }
  switch (stage) {
    case 'test': {
      const [first] = plan.test.jobs;
      if (first === undefined) throw new TypeError('a resolved test stage has at least one job');
      return testJobOf({ ...base, secretEnv }, env, first, pipeline);
    }
    case 'build': {
      const common = {
        ...base,
        image: ctx.runnerImage,
        script: ['ferry-runner build'],
        env: {
          ...env,
          ...registryEnv,
          [RunnerEnv.plan]: JSON.stringify(plan),
          [RunnerEnv.allowedBaseImages]: JSON.stringify(ctx.allowedBaseImages),
          [RunnerEnv.sourceUrl]: pipeline.project.webUrl,
        },
        timeoutMs: plan.build.timeoutMs,
      };
      if (ctx.builder === 'buildah') return buildahBuildJob(common, secretEnv, ctx);
      return {
        ...common,
        secretEnv,
        env: { ...common.env, ...(ctx.dockerHost === undefined ? {} : { DOCKER_HOST: ctx.dockerHost }) },
        ...(ctx.dockerSocket === undefined ? {} : { dockerSocket: ctx.dockerSocket }),
      };
    }
    case 'deploy': {
      if (ctx.kube?.kubeconfig !== undefined && needs.kubeconfig)
        secretEnv[RunnerEnv.kubeconfig] = ctx.kube.kubeconfig;
      const meta = deployMeta(pipeline);
      return {
        ...base,
        secretEnv,
        image: ctx.runnerImage,
        script: ['ferry-runner deploy'],
        env: {
          ...env,
          ...registryEnv,
          [RunnerEnv.plan]: JSON.stringify(plan),
          [RunnerEnv.image]: pipeline.image?.reference ?? '',
          [RunnerEnv.deployMeta]: JSON.stringify(meta),
          ...(ctx.kube?.context === undefined ? {} : { [RunnerEnv.kubeContext]: ctx.kube.context }),
        },
        timeoutMs: deployTimeBudgetMs(plan),
        checkout: false,
      };
    }
  }
}

/** The runner job of one test job: its image, script, variables and limits, and the job itself. Pure. */
function testJobOf(
  base: Omit<StageJob, 'image' | 'script' | 'env' | 'timeoutMs'>,
  env: Readonly<Record<string, string>>,
  job: ResolvedTestJob,
  pipeline: Pick<PipelineRecord, 'withoutSecrets'>,
): StageJob {
  return {
    ...base,
    // Its services and cache, as the executors run them (test-job-extras.ts).
    ...testJobExtras(job, pipeline),
    image: job.image,
    script: [...job.script],
    env: { ...env, ...job.env, [RunnerEnv.testJob]: job.name },
    timeoutMs: job.timeoutMs,
    resources: { cpu: job.resources.cpu, memory: job.resources.memory },
    checkout: job.checkout,
    testJob: { name: job.name, reports: job.reports, coverage: job.coverage },
  };
}

/** The jobs of the test stage and how they run together. */
export interface TestStageJobs {
  form: 'single' | 'jobs';
  failFast: boolean;
  jobs: StageJob[];
}

/** Every job of the test stage, each its own runner (`buildStageJob` gives the first). Pure. */
export function buildTestStageJobs(
  pipeline: PipelineRecord,
  plan: ResolvedPlan,
  attempt: number,
  ctx: StageJobContext,
): TestStageJobs {
  return {
    form: plan.test.form,
    failFast: plan.test.failFast,
    jobs: plan.test.jobs.map((job) =>
      buildStageJob(pipeline, { ...plan, test: { ...plan.test, jobs: [job] } }, 'test', attempt, ctx),
    ),
  };
}

/**
 * The build job for buildah: no daemon, no socket; the registry credential leaves the secret
 * environment and becomes the auth file the executor mounts (REGISTRY_AUTH_FILE). Pure.
 */
function buildahBuildJob(
  job: Omit<StageJob, 'secretEnv'>,
  secretEnv: Record<string, string>,
  ctx: StageJobContext,
): StageJob {
  const { [RunnerEnv.registryPassword]: _password, ...rest } = secretEnv;
  const reg = ctx.registry;
  const authJson =
    reg?.username === undefined || reg.password === undefined
      ? undefined
      : authFileJson(reg.endpoint, reg.username, reg.password);
  return {
    ...job,
    secretEnv: rest,
    env: {
      ...job.env,
      [RunnerEnv.builder]: 'buildah',
      ...(authJson === undefined ? {} : { [RunnerEnv.registryAuthFile]: BUILDAH_AUTH_FILE }),
    },
    buildah: authJson === undefined ? {} : { authJson },
  };
}

export function stageTimeoutMs(plan: ResolvedPlan, stage: StageName): number {
  switch (stage) {
    case 'test':
      // Jobs run side by side; each may first wait for its services.
      return Math.max(
        plan.test.timeoutMs,
        ...plan.test.jobs.map(
          (job) => job.timeoutMs + job.services.reduce((sum, s) => sum + (s.ready?.timeoutMs ?? 0), 0),
        ),
      );
    case 'build':
      return plan.build.timeoutMs;
    case 'deploy':
      return deployTimeBudgetMs(plan);
  }
}
