import type { ImageRecord } from '@ferry/shared';
import type { PipelineQueue } from '../queue/pipeline-queue.js';
import type { PipelineStore } from '../store/pipeline-store.js';
import type { PipelineIntent } from './intent.js';
import { dedupKeyOf, newPipelineRecord } from './new-record.js';

export interface CreateResult {
  result: 'created' | 'duplicate';
  pipelineId: string;
  /** True when this call replayed an earlier answer (a redelivery). */
  replayed: boolean;
  superseded: string[];
}

export interface CreateDeps {
  store: PipelineStore;
  queue: PipelineQueue;
}

/**
 * Stores and queues the pipeline for an intent: one merge is one pipeline whichever hook comes
 * first, and a redelivery gets the first answer back. Only Redis is touched: nothing slow here.
 */
export async function createPipeline(
  deps: CreateDeps,
  intent: PipelineIntent,
  options: {
    idempotencyKey?: string;
    retryOf?: string | undefined;
    manual?: boolean;
    rollback?: { of: string; image: ImageRecord };
  } = {},
): Promise<CreateResult> {
  const pipeline = newPipelineRecord(intent, {
    ...(options.retryOf === undefined ? {} : { retryOf: options.retryOf }),
    ...(options.rollback === undefined ? {} : { rollback: options.rollback }),
  });
  const fresh = options.retryOf !== undefined || options.manual === true || options.rollback !== undefined;
  const dedupKey = fresh ? `once:${pipeline.id}` : dedupKeyOf(intent);
  const outcome = await deps.store.admit({
    pipeline,
    dedupKey,
    supersede: intent.rule.supersede,
    ...(options.idempotencyKey === undefined ? {} : { idempotencyKey: options.idempotencyKey }),
    ...(intent.trigger === 'push' && !fresh ? { pusher: intent.user.username } : {}),
    ...(intent.trigger === 'merge' && intent.mergeRequest !== undefined
      ? {
          mergeUpgrade: { trigger: 'merge' as const, user: intent.user, mergeRequest: intent.mergeRequest },
        }
      : {}),
  });
  if (outcome.kind === 'replay') {
    return { ...outcome.response, replayed: true, superseded: [] };
  }
  if (outcome.kind === 'duplicate') {
    return { result: 'duplicate', pipelineId: outcome.pipelineId, replayed: false, superseded: [] };
  }
  if (outcome.enqueue) await deps.queue.enqueueRun(outcome.pipelineId, pipeline.priority);
  return {
    result: 'created',
    pipelineId: outcome.pipelineId,
    replayed: false,
    superseded: outcome.superseded,
  };
}
