import { isTerminalPipeline } from '@ferry/shared';
import { type ActionDeps, cancelPipeline } from './actions.js';
import { mergeRequestLane } from './new-record.js';

/**
 * A newer push to a merge request supersedes its checks: the waiting ones were skipped on
 * admission (the lane supersedes), the one running is canceled here. Returns what was canceled.
 */
export async function supersedeChecks(deps: ActionDeps, newest: string, lane: string): Promise<string[]> {
  const holder = await deps.store.laneHolder(lane);
  if (holder === undefined || holder === newest) return [];
  const running = await deps.store.get(holder);
  if (running === undefined || isTerminalPipeline(running.status)) return [];
  await cancelPipeline(deps, holder, `superseded by pipeline ${newest}`);
  return [holder];
}

/** A merge request closed: its checks still waiting or running are canceled. */
export async function cancelChecks(
  deps: ActionDeps,
  projectId: number,
  iid: number,
  by: string,
): Promise<string[]> {
  const lane = mergeRequestLane(projectId, iid);
  const page = await deps.store.list({ projectId }, 100);
  const open = page.items.filter(
    (p) => p.lane === lane && p.kind === 'merge_request' && !isTerminalPipeline(p.status),
  );
  const canceled: string[] = [];
  for (const pipeline of open) {
    try {
      await cancelPipeline(deps, pipeline.id, `${by} closed the merge request`);
      canceled.push(pipeline.id);
    } catch {
      // Ended meanwhile: nothing to cancel.
    }
  }
  return canceled;
}
