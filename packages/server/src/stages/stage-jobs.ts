import {
  type PipelineRecord,
  placeholderEnvironment,
  type ResolvedPlan,
  type StageName,
} from '@ferry/shared';
import type { StageJob } from '../executors/executor.js';

export interface StageJobContext {
  /** The clone token (GitLab), a secret: given to the runner in the environment only. */
  cloneToken?: string;
  /** The runner image, used for the stages Ferry's runner performs itself (build, deploy). */
  runnerImage: string;
}

/**
 * The job for one stage of a pipeline, from its resolved plan. Pure. Branch names and commit
 * titles reach the runner only as environment variables, never inside a script.
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
    FERRY_PIPELINE_ID: pipeline.id,
    FERRY_STAGE: stage,
    FERRY_REF: pipeline.ref,
    FERRY_CLONE_URL: pipeline.project.cloneUrl,
    CI: 'true',
  };
  const secretEnv: Record<string, string> = {};
  if (ctx.cloneToken !== undefined) secretEnv.FERRY_CLONE_TOKEN = ctx.cloneToken;
  const base = {
    pipelineId: pipeline.id,
    stage,
    attempt,
    project: { id: pipeline.project.id, path: pipeline.project.path, cloneUrl: pipeline.project.cloneUrl },
    ref: pipeline.ref,
    sha: pipeline.sha,
    secretEnv,
  };
  switch (stage) {
    case 'test':
      return {
        ...base,
        image: plan.test.image,
        script: [...plan.test.script],
        env: { ...env, ...plan.test.env },
        timeoutMs: plan.test.timeoutMs,
        resources: { cpu: plan.test.resources.cpu, memory: plan.test.resources.memory },
      };
    case 'build':
      return { ...base, image: ctx.runnerImage, script: [], env, timeoutMs: plan.build.timeoutMs };
    case 'deploy':
      return {
        ...base,
        image: ctx.runnerImage,
        script: [],
        env,
        timeoutMs: plan.deploy.rollout.progressDeadlineMs,
      };
  }
}

export function stageTimeoutMs(plan: ResolvedPlan, stage: StageName): number {
  switch (stage) {
    case 'test':
      return plan.test.timeoutMs;
    case 'build':
      return plan.build.timeoutMs;
    case 'deploy':
      return plan.deploy.rollout.progressDeadlineMs;
  }
}
