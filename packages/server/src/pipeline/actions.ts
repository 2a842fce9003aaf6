import {
  FerryError,
  isTerminalPipeline,
  type Logger,
  PipelineErrors,
  type PipelineRecord,
} from '@ferry/shared';
import type { Redis } from 'ioredis';
import type { PipelineQueue } from '../queue/pipeline-queue.js';
import type { PipelineStore } from '../store/pipeline-store.js';
import { CancelSignals } from './cancel-signals.js';
import { type CreateResult, createPipeline } from './create.js';
import type { EnvironmentMap, EnvironmentRule } from './environment-map.js';
import type { PipelineIntent } from './intent.js';
import type { PipelineObserver } from './observer.js';
import { endPipeline } from './run.js';

/** What the lifecycle actions (API, worker) need. */
export interface ActionDeps {
  store: PipelineStore;
  queue: PipelineQueue;
  environments: EnvironmentMap;
  observer: PipelineObserver;
  logger: Logger;
  /** Connection used to publish cancel requests to whichever replica runs the pipeline. */
  publisher: Redis;
  cancelChannel: string;
}

async function mustGet(store: PipelineStore, id: string): Promise<PipelineRecord> {
  const pipeline = await store.get(id);
  if (pipeline === undefined) throw new FerryError(PipelineErrors.PIPELINE_NOT_FOUND, { id });
  return pipeline;
}

/** Cancel: a waiting pipeline ends at once; a running one is aborted where it runs. */
export async function cancelPipeline(deps: ActionDeps, id: string, by: string): Promise<PipelineRecord> {
  const pipeline = await mustGet(deps.store, id);
  if (isTerminalPipeline(pipeline.status)) {
    throw new FerryError(PipelineErrors.PIPELINE_NOT_CANCELABLE, { id, status: pipeline.status });
  }
  await deps.store.patch(id, { cancelRequested: true });
  deps.logger.info({ pipelineId: id, by }, 'cancel requested');
  if (pipeline.status === 'queued' || pipeline.status === 'waiting_approval') {
    await deps.store.leaveLane(pipeline.lane, id);
    if (await endPipeline(deps, pipeline, 'canceled', `canceled by ${by}`)) {
      await deps.queue.cancelApprovalTimeout(id);
      return mustGet(deps.store, id);
    }
  }
  await CancelSignals.publish(deps.publisher, deps.cancelChannel, id);
  return mustGet(deps.store, id);
}

/** Approve a deploy waiting for approval: record who, and resume the pipeline. */
export async function approvePipeline(deps: ActionDeps, id: string, by: string): Promise<PipelineRecord> {
  const pipeline = await mustGet(deps.store, id);
  if (pipeline.status !== 'waiting_approval' || pipeline.approval?.approvedAt !== undefined) {
    throw new FerryError(PipelineErrors.PIPELINE_NOT_WAITING_APPROVAL, { id, status: pipeline.status });
  }
  const approval = {
    ...pipeline.approval,
    required: true,
    approvedBy: by,
    approvedAt: new Date().toISOString(),
  };
  const jobId = `${id}.approved`;
  await deps.store.patch(id, { approval, jobId });
  await deps.queue.cancelApprovalTimeout(id);
  await deps.queue.enqueueRun(id, pipeline.priority, jobId);
  deps.logger.info({ pipelineId: id, by }, 'deploy approved');
  return mustGet(deps.store, id);
}

/** The approval wait ran out: the pipeline fails, unapproved. */
export async function expireApproval(
  deps: Omit<ActionDeps, 'publisher' | 'cancelChannel'>,
  id: string,
): Promise<void> {
  const pipeline = await deps.store.get(id);
  if (pipeline?.status !== 'waiting_approval' || pipeline.approval?.approvedAt !== undefined) return;
  await endPipeline(
    deps,
    pipeline,
    'failed',
    `nobody approved the deploy to ${pipeline.environment} in time`,
  );
}

function ruleFor(
  deps: ActionDeps,
  pipeline: Pick<PipelineRecord, 'project' | 'ref' | 'environment' | 'priority' | 'approval'>,
): EnvironmentRule {
  return (
    deps.environments.forBranch(pipeline.project.path, pipeline.ref) ?? {
      environment: pipeline.environment,
      branch: pipeline.ref,
      supersede: false,
      priority: pipeline.priority,
      approval: pipeline.approval?.required === true,
    }
  );
}

/** Retry: a new pipeline for the same commit and environment, trigger `retry`. */
export async function retryPipeline(deps: ActionDeps, id: string, by: string): Promise<CreateResult> {
  const pipeline = await mustGet(deps.store, id);
  if (!isTerminalPipeline(pipeline.status)) {
    throw new FerryError(PipelineErrors.PIPELINE_NOT_RETRYABLE, { id, status: pipeline.status });
  }
  const intent: PipelineIntent = {
    project: pipeline.project,
    rule: ruleFor(deps, pipeline),
    ref: pipeline.ref,
    sha: pipeline.sha,
    trigger: 'retry',
    user: { username: by, name: by },
    commitTitle: pipeline.commitTitle,
    ...(pipeline.mergeRequest === undefined ? {} : { mergeRequest: pipeline.mergeRequest }),
  };
  return createPipeline(deps, intent, { retryOf: id });
}

/** Manual trigger: project + environment branch [+ sha]; without a sha, the last one Ferry saw. */
export async function triggerPipeline(
  deps: ActionDeps,
  input: { project: string; ref: string; sha?: string },
  by: string,
): Promise<CreateResult> {
  const project = await deps.store.project(input.project);
  if (project === undefined) throw new FerryError(PipelineErrors.PROJECT_UNKNOWN, { project: input.project });
  const rule = deps.environments.forBranch(project.path, input.ref);
  if (rule === undefined) {
    throw new FerryError(PipelineErrors.REF_NOT_ENVIRONMENT, {
      ref: input.ref,
      environments: deps.environments.environments().join(', '),
    });
  }
  const sha = input.sha ?? (await deps.store.headOf(project.id, input.ref));
  if (sha === undefined)
    throw new FerryError(PipelineErrors.SHA_UNKNOWN, { ref: input.ref, project: project.path });
  const intent: PipelineIntent = {
    project,
    rule,
    ref: input.ref,
    sha,
    trigger: 'manual',
    user: { username: by, name: by },
    commitTitle: '',
  };
  // A manual run is wanted even when this commit already ran: it gets its own dedup key.
  return createPipeline(deps, intent, { retryOf: undefined, manual: true });
}

/**
 * Roll back: a new pipeline (trigger `rollback`) that deploys the image of an earlier successful
 * pipeline again, to the same environment, without testing or building anything.
 */
export async function rollbackPipeline(deps: ActionDeps, id: string, by: string): Promise<CreateResult> {
  const source = await mustGet(deps.store, id);
  if (source.status !== 'success') {
    throw new FerryError(PipelineErrors.PIPELINE_NOT_ROLLBACKABLE, { id, reason: `it is ${source.status}` });
  }
  if (source.image === undefined) {
    throw new FerryError(PipelineErrors.PIPELINE_NOT_ROLLBACKABLE, { id, reason: 'it built no image' });
  }
  const intent: PipelineIntent = {
    project: source.project,
    rule: { ...ruleFor(deps, source), supersede: false },
    ref: source.ref,
    sha: source.sha,
    trigger: 'rollback',
    user: { username: by, name: by },
    commitTitle: source.commitTitle,
  };
  deps.logger.info({ pipelineId: id, by }, 'rollback requested');
  return createPipeline(deps, intent, { rollback: { of: id, image: source.image } });
}
