import { isTerminalPipeline, type Logger } from '@ferry/shared';
import type { Executor, RunnerInfo } from '../executors/executor.js';
import type { PipelineStore } from '../store/pipeline-store.js';

export interface ReapOptions {
  /** Runners younger than this are left alone (prepared, not yet recorded on their stage). */
  graceMs: number;
  now?: Date;
}

/**
 * Why a runner should go, or null to keep it: its pipeline is finished or unknown, or its stage
 * no longer runs it (a crashed attempt's runner). Pure.
 */
export function reapReason(
  runner: RunnerInfo,
  pipeline: Awaited<ReturnType<PipelineStore['get']>>,
  options: ReapOptions,
): string | null {
  const age =
    runner.createdAt === undefined
      ? Number.POSITIVE_INFINITY
      : (options.now ?? new Date()).getTime() - runner.createdAt.getTime();
  if (pipeline === undefined) return age > options.graceMs ? 'its pipeline is unknown' : null;
  if (isTerminalPipeline(pipeline.status)) return `its pipeline is ${pipeline.status}`;
  const stage = pipeline.stages.find((s) => s.name === runner.stage);
  if (stage === undefined) return 'its stage is unknown';
  if (stage.status === 'running' && stage.runnerId === runner.id) return null;
  if (stage.status === 'running' && stage.runnerId === undefined) return null;
  return age > options.graceMs ? `its stage is ${stage.status} without it` : null;
}

/** Removes runners whose pipeline no longer needs them: on start and periodically. */
export async function reapRunners(
  deps: { executor: Executor; store: PipelineStore; logger: Logger },
  signal: AbortSignal,
  options: ReapOptions = { graceMs: 120_000 },
): Promise<number> {
  let reaped = 0;
  for (const runner of await deps.executor.list(signal)) {
    const reason = reapReason(runner, await deps.store.get(runner.pipelineId), options);
    if (reason === null) continue;
    try {
      await deps.executor.destroy({ id: runner.id }, signal);
      reaped += 1;
      deps.logger.warn(
        { runner: runner.id, pipelineId: runner.pipelineId, stage: runner.stage, reason },
        'reaped an orphaned runner',
      );
    } catch (err) {
      deps.logger.error({ err, runner: runner.id }, 'could not reap a runner');
    }
  }
  return reaped;
}
