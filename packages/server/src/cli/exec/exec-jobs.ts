import { createHash } from 'node:crypto';
import type { PipelineRecord, ResolvedPlan } from '@ferry/shared';
import { buildTestStageJobs, type StageJobContext, type TestStageJobs } from '../../stages/stage-jobs.js';

/** The owner label of `ferry exec`'s runners: no Ferry server's reaper on the same engine takes them. */
export const EXEC_OWNER = 'ferry-exec';

/**
 * A stable number for a project path: `ferry exec`'s runners use it as the project id, so the
 * project's cache volume is found again by the next run (and never mixes with another project's).
 * Pure.
 */
export function localProjectId(path: string): number {
  return Number.parseInt(createHash('sha256').update(path).digest('hex').slice(0, 7), 16);
}

export interface ExecTarget {
  pipelineId: string;
  project: string;
  sha: string;
  cloneUrl: string;
  /** The token the served working tree asks for (a secret: masked, reaches the clone only). */
  cloneToken: string;
  runnerImage: string;
  now: Date;
}

/** The record a local run stands on: what the stage jobs read of a pipeline (project, ref, sha). Pure. */
export function execPipeline(target: ExecTarget, plan: ResolvedPlan): PipelineRecord {
  const at = target.now.toISOString();
  const id = localProjectId(target.project);
  return {
    id: target.pipelineId,
    kind: 'environment',
    project: { id, path: target.project, webUrl: target.cloneUrl, cloneUrl: target.cloneUrl },
    environment: plan.environment,
    ref: plan.branch,
    sha: target.sha,
    trigger: 'manual',
    user: { username: 'ferry-exec', name: 'ferry exec' },
    commitTitle: 'ferry exec: the working tree',
    status: 'running',
    stages: [{ name: 'test', status: 'running', attempts: 1 }],
    priority: 0,
    lane: `${id}:${plan.environment}`,
    createdAt: at,
    queuedAt: at,
  };
}

/**
 * The test stage's jobs exactly as a pipeline of this environment builds them (buildTestStageJobs:
 * images, scripts, env, services, cache, reports), limited to `only` when given. Returns the names
 * that match no job instead when some do not. Pure.
 */
export function execJobs(
  target: ExecTarget,
  plan: ResolvedPlan,
  only: readonly string[],
): { jobs: TestStageJobs; pipeline: PipelineRecord } | { unknown: string[]; known: string[] } {
  const known = plan.test.jobs.map((j) => j.name);
  const unknown = only.filter((name) => !known.includes(name));
  if (unknown.length > 0) return { unknown, known };
  const selected = only.length === 0 ? plan.test.jobs : plan.test.jobs.filter((j) => only.includes(j.name));
  const limited: ResolvedPlan = { ...plan, test: { ...plan.test, jobs: selected } };
  const pipeline = execPipeline(target, plan);
  const ctx: StageJobContext = {
    owner: EXEC_OWNER,
    cloneToken: target.cloneToken,
    runnerImage: target.runnerImage,
    allowedBaseImages: [],
  };
  return { jobs: buildTestStageJobs(pipeline, limited, 1, ctx), pipeline };
}
