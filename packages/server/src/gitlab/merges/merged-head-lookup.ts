import { setTimeout as sleep } from 'node:timers/promises';
import { abortable } from '../../abort/abortable.js';
import { classifyGitLabError } from '../api/gitlab-errors.js';
import { mergedHeadOf, mergeRequestApiSchema } from './merged-head.js';

/** The part of the GitLab client the lookup uses: `GET /projects/:id/merge_requests/:iid`. */
export interface MergeRequestsApi {
  MergeRequests: { show(projectId: number | string, iid: number): Promise<unknown> };
}

export type MergedHeadLookup =
  | { kind: 'found'; sha: string; by: 'merge_commit_sha' | 'squash_commit_sha' | 'sha' }
  | { kind: 'gave-up'; reason: string };

export interface MergedHeadLookupOptions {
  /** Stop asking after this long (`gitlab.mergeLookupTimeout`). */
  giveUpAfterMs: number;
  /** First pause between attempts; doubles up to `maxPauseMs`. */
  firstPauseMs?: number;
  maxPauseMs?: number;
}

/**
 * Asks GitLab which commit a merge put on the target branch, until GitLab names it or the time is
 * up. Retries what may pass (timeouts, 5xx, 429, a merge request not yet `merged` in the answer);
 * gives up at once on what will not (401/403/404, a body without the fields). Never throws.
 */
export async function lookUpMergedHead(
  api: MergeRequestsApi,
  projectId: number,
  iid: number,
  options: MergedHeadLookupOptions,
  signal: AbortSignal,
): Promise<MergedHeadLookup> {
  const deadline = Date.now() + options.giveUpAfterMs;
  let pause = options.firstPauseMs ?? 250;
  const maxPause = options.maxPauseMs ?? 10_000;
  let last = 'no answer';
  for (let attempt = 1; ; attempt += 1) {
    if (signal.aborted) return { kind: 'gave-up', reason: 'Ferry is stopping' };
    const answer = await askOnce(api, projectId, iid, deadline - Date.now(), signal);
    if (answer.kind === 'found' || answer.kind === 'final') {
      return answer.kind === 'found' ? answer.head : { kind: 'gave-up', reason: answer.reason };
    }
    last = answer.reason;
    const left = deadline - Date.now();
    if (left <= 0) return { kind: 'gave-up', reason: `${last} (after ${attempt} attempts)` };
    try {
      await sleep(Math.min(pause, left), undefined, { signal });
    } catch {
      return { kind: 'gave-up', reason: 'Ferry is stopping' };
    }
    pause = Math.min(pause * 2, maxPause);
  }
}

type Attempt =
  | { kind: 'found'; head: Extract<MergedHeadLookup, { kind: 'found' }> }
  | { kind: 'again'; reason: string }
  | { kind: 'final'; reason: string };

async function askOnce(
  api: MergeRequestsApi,
  projectId: number,
  iid: number,
  leftMs: number,
  signal: AbortSignal,
): Promise<Attempt> {
  let body: unknown;
  try {
    // The client bounds each request by reporting.gitlabTimeout; this bounds it by the lookup's own.
    body = await abortable(
      api.MergeRequests.show(projectId, iid),
      AbortSignal.any([signal, AbortSignal.timeout(Math.max(1, leftMs))]),
    );
  } catch (err) {
    const failure = classifyGitLabError(err);
    return failure.kind === 'retry'
      ? { kind: 'again', reason: `GitLab did not answer: ${failure.message}` }
      : { kind: 'final', reason: `GitLab refused: ${failure.message}` };
  }
  const parsed = mergeRequestApiSchema.safeParse(body);
  if (!parsed.success) return { kind: 'final', reason: 'GitLab answered without the merge request fields' };
  const head = mergedHeadOf(parsed.data);
  if (head.kind === 'head') return { kind: 'found', head: { kind: 'found', sha: head.sha, by: head.by } };
  if (head.kind === 'not-merged') return { kind: 'again', reason: `merge request state is ${head.state}` };
  return { kind: 'final', reason: 'GitLab names no commit for the merge' };
}
