import { randomUUID } from 'node:crypto';
import { type ImageRecord, laneOf, type PipelineRecord, type StageName, stageNames } from '@ferry/shared';
import type { PipelineIntent } from './intent.js';

/** Pipeline ids sort by creation time and are safe in URLs, Redis keys and job ids. */
export function newPipelineId(now: Date = new Date()): string {
  // randomUUID draws from a cached entropy pool: far cheaper per call than randomBytes on the hot path.
  return `${now.getTime().toString(36)}${randomUUID().slice(0, 8)}${randomUUID().slice(9, 11)}`;
}

/** The record of a new pipeline, queued, every stage pending. Pure apart from the id. */
export function newPipelineRecord(
  intent: PipelineIntent,
  options: {
    id?: string;
    now?: Date;
    stages?: readonly StageName[];
    retryOf?: string;
    /** A rollback: the image to deploy again, and the pipeline it comes from. */
    rollback?: { of: string; image: ImageRecord };
  } = {},
): PipelineRecord {
  const now = options.now ?? new Date();
  const at = now.toISOString();
  const kind = intent.kind ?? 'environment';
  const record: PipelineRecord = {
    id: options.id ?? newPipelineId(now),
    kind,
    project:
      intent.cloneUrl === undefined ? intent.project : { ...intent.project, cloneUrl: intent.cloneUrl },
    environment: intent.rule.environment,
    ref: intent.ref,
    sha: intent.sha,
    trigger: intent.trigger,
    user: intent.user,
    commitTitle: intent.commitTitle,
    status: 'queued',
    stages: (options.stages ?? intent.stages ?? stageNames).map((name) => ({
      name,
      status: 'pending',
      attempts: 0,
    })),
    priority: intent.rule.priority,
    // A merge request's checks never wait for (or hold up) the environment's deploys.
    lane:
      kind === 'merge_request' && intent.mergeRequest !== undefined
        ? mergeRequestLane(intent.project.id, intent.mergeRequest.iid)
        : laneOf(intent.project.id, intent.rule.environment),
    createdAt: at,
    queuedAt: at,
  };
  if (intent.mergeRequest !== undefined) record.mergeRequest = intent.mergeRequest;
  if (intent.rule.approval && kind === 'environment') record.approval = { required: true };
  if (intent.withoutSecrets) record.withoutSecrets = true;
  if (options.retryOf !== undefined) record.retryOf = options.retryOf;
  if (options.rollback !== undefined) {
    record.rollbackOf = options.rollback.of;
    record.image = options.rollback.image;
    // Nothing is tested or built again: the image of a pipeline that succeeded is deployed as it is.
    const reason = `rollback: deploys the image of pipeline ${options.rollback.of} again`;
    record.stages = record.stages.map((stage) =>
      stage.name === 'deploy' ? stage : { ...stage, status: 'skipped', reason, finishedAt: at },
    );
  }
  return record;
}

export function dedupKeyOf(intent: PipelineIntent): string {
  if (intent.kind === 'merge_request' && intent.mergeRequest !== undefined) {
    return `${intent.project.id}:mr:${intent.mergeRequest.iid}:${intent.sha}`;
  }
  return `${intent.project.id}:${intent.rule.environment}:${intent.sha}`;
}

/** One merge request's checks run one at a time, the newest superseding the older ones. */
export function mergeRequestLane(projectId: number, iid: number): string {
  return `${projectId}:mr:${iid}`;
}
