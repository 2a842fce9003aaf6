import { isTerminalPipeline } from '@ferry/shared';
import type { RunDeps } from './run.js';

const idle = new Set(['completed', 'failed', 'unknown', 'missing']);

/**
 * Makes every accepted pipeline reachable again after a crash: a lane holder that no live job
 * carries gets a new job; an approval wait gets its timeout back. Idempotent and safe to run on
 * every replica at any time (job ids make re-adding harmless; live jobs are left alone).
 */
export async function recoverPipelines(deps: Pick<RunDeps, 'store' | 'queue' | 'logger'>): Promise<number> {
  const { store, queue } = deps;
  let recovered = 0;
  for (const id of await store.nonTerminalIds()) {
    const pipeline = await store.get(id);
    if (pipeline === undefined || isTerminalPipeline(pipeline.status)) continue;
    if ((await store.laneHolder(pipeline.lane)) !== id) continue;
    if (pipeline.status === 'waiting_approval' && pipeline.approval?.approvedAt === undefined) {
      const left = Date.parse(pipeline.approval?.deadline ?? '') - Date.now();
      await queue.scheduleApprovalTimeout(id, Number.isFinite(left) ? left : 0);
      continue;
    }
    const jobId = pipeline.jobId ?? id;
    const job = await queue.queue.getJob(jobId);
    const state = job === undefined ? 'missing' : await job.getState();
    if (!idle.has(state)) continue;
    const fresh = `${id}.r${Date.now().toString(36)}`;
    await queue.enqueueRun(id, pipeline.priority, fresh);
    await store.patch(id, { jobId: fresh });
    deps.logger.warn({ pipelineId: id, previousJob: jobId, state }, 'recovered a pipeline no job carried');
    recovered += 1;
  }
  return recovered;
}
