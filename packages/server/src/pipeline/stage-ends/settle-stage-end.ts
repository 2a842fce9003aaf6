import type { Logger } from '@ferry/shared';
import type { StageRunner } from '../../stages/stage-runner.js';
import type { PipelineStore } from '../../store/pipeline-store.js';
import type { PipelineObserver } from '../observer.js';
import type { StageEndEntry } from './stage-end-entry.js';

export interface StageEndDeps {
  store: PipelineStore;
  runner: StageRunner;
  observer: PipelineObserver;
  logger: Logger;
}

/**
 * Stores a stage end: what its runner printed (image, rollout; idempotent), then the end itself,
 * at most once per attempt. True when this call recorded the end. Throws while Redis is away.
 */
export async function applyStageEnd(
  deps: Pick<StageEndDeps, 'store' | 'runner'>,
  entry: StageEndEntry,
): Promise<boolean> {
  if (entry.printed !== undefined && deps.runner.record !== undefined) {
    const pipeline = await deps.store.get(entry.pipelineId);
    if (pipeline !== undefined)
      await deps.runner.record(pipeline, entry.printed, AbortSignal.timeout(30_000));
  }
  return deps.store.endStage(entry.pipelineId, entry.stage);
}

/**
 * After a stage end was stored (or refused as already recorded): the runners kept for it are
 * destroyed, and observers (metrics, alerts) hear of the end only when this end was the one recorded.
 */
export async function settleStageEnd(
  deps: StageEndDeps,
  entry: StageEndEntry,
  ended: boolean,
): Promise<void> {
  for (const runnerId of entry.runners) {
    await deps.runner
      .destroy(runnerId, AbortSignal.timeout(60_000))
      .catch((err: unknown) =>
        deps.logger.error(
          { err, runner: runnerId, pipelineId: entry.pipelineId },
          'could not destroy the runner; the reaper will',
        ),
      );
  }
  if (!ended) return;
  const pipeline = await deps.store.get(entry.pipelineId).catch(() => undefined);
  if (pipeline !== undefined) deps.observer.stageFinished(pipeline, entry.stage);
}
