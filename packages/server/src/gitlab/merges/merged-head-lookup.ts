import { setTimeout as sleep } from 'node:timers/promises';
import { abortable } from '../../abort/abortable.js';
import { classifyGitLabError } from '../api/gitlab-errors.js';
import { nextPauseMs } from '../api/gitlab-retry.js';
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
 * Pauses double (backoffMs, as the report outbox's) and are never shorter than GitLab's
 * `Retry-After`: a throttled client waits until its quota is reset (GitLab docs,
 * doc/administration/settings/user_and_ip_rate_limits.md, "Response headers"). When GitLab asks
 * for a longer wait than is left (or than 4 × `maxPauseMs`, backoffMs's bound), the lookup gives up
 * at once, without asking again before GitLab said it may.
 */
export async function lookUpMergedHead(
  api: MergeRequestsApi,
  projectId: number,
  iid: number,
  options: MergedHeadLookupOptions,
  signal: AbortSignal,
): Promise<MergedHeadLookup> {
  const deadline = Date.now() + options.giveUpAfterMs;
  const policy = { initialMs: options.firstPauseMs ?? 250, maxMs: options.maxPauseMs ?? 10_000 };
  for (let attempt = 1; ; attempt += 1) {
    if (signal.aborted) return { kind: 'gave-up', reason: 'Ferry is stopping' };
    const answer = await askOnce(api, projectId, iid, deadline - Date.now(), signal);
    if (answer.kind === 'found' || answer.kind === 'final') {
      return answer.kind === 'found' ? answer.head : { kind: 'gave-up', reason: answer.reason };
    }
    const told = answer.retryAfterMs ?? 0;
    const pause = nextPauseMs(policy, attempt, told, deadline - Date.now());
    if (pause === undefined) {
      const wait = told > 0 ? `; GitLab asked to wait ${Math.ceil(told / 1000)} s` : '';
      return { kind: 'gave-up', reason: `${answer.reason} (after ${attempt} attempts${wait})` };
    }
    try {
      await sleep(pause, undefined, { signal });
    } catch {
      return { kind: 'gave-up', reason: 'Ferry is stopping' };
    }
  }
}

type Attempt =
  | { kind: 'found'; head: Extract<MergedHeadLookup, { kind: 'found' }> }
  /** Worth asking again, not before `retryAfterMs` (GitLab's Retry-After) when it says. */
  | { kind: 'again'; reason: string; retryAfterMs?: number }
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
    if (failure.kind !== 'retry') return { kind: 'final', reason: `GitLab refused: ${failure.message}` };
    const reason = `GitLab did not answer: ${failure.message}`;
    return failure.retryAfterMs === undefined
      ? { kind: 'again', reason }
      : { kind: 'again', reason, retryAfterMs: failure.retryAfterMs };
  }
  const parsed = mergeRequestApiSchema.safeParse(body);
  if (!parsed.success) return { kind: 'final', reason: 'GitLab answered without the merge request fields' };
  const head = mergedHeadOf(parsed.data);
  if (head.kind === 'head') return { kind: 'found', head: { kind: 'found', sha: head.sha, by: head.by } };
  if (head.kind === 'not-merged') return { kind: 'again', reason: `merge request state is ${head.state}` };
  return { kind: 'final', reason: 'GitLab names no commit for the merge' };
}
