import { setTimeout as sleep } from 'node:timers/promises';
import { abortable } from '../../abort/abortable.js';
import { type BackoffPolicy, backoffMs } from '../../reporting/backoff.js';
import { classifyGitLabError } from './gitlab-errors.js';

export interface GitLabRetryOptions {
  /** Stop asking after this long; the last failure is thrown. */
  giveUpAfterMs: number;
  policy?: BackoffPolicy;
}

/**
 * The pause before asking GitLab again after attempt `attempt`, or undefined to give up: when no
 * time is left, or GitLab's Retry-After (`retryAfterMs`) is longer than is left or than backoffMs's
 * bound. Shared by every GitLab retry loop (this one, the merge lookup).
 */
export function nextPauseMs(
  policy: BackoffPolicy,
  attempt: number,
  retryAfterMs: number,
  leftMs: number,
): number | undefined {
  if (leftMs <= 0 || retryAfterMs > Math.min(leftMs, policy.maxMs * 4)) return undefined;
  return Math.min(backoffMs(policy, attempt, retryAfterMs), leftMs);
}

/**
 * Runs one GitLab request until it answers, retrying what may pass (429, 409, 5xx, timeouts,
 * connection failures: classifyGitLabError's 'retry') and throwing at once what will not (401,
 * 403, 404, another 4xx). The GitLab client retries nothing itself (no-retry-requester.ts), so
 * this is where a read that a pipeline needs survives a GitLab restart. Pauses double (backoffMs)
 * and are never shorter than GitLab's Retry-After (doc/administration/settings/
 * user_and_ip_rate_limits.md, "Response headers"); when GitLab asks for longer than is left, the
 * failure is thrown without asking again before GitLab said it may.
 */
export async function retryGitLab<T>(
  request: () => Promise<T>,
  options: GitLabRetryOptions,
  signal: AbortSignal,
): Promise<T> {
  const deadline = Date.now() + options.giveUpAfterMs;
  const policy = options.policy ?? { initialMs: 250, maxMs: 5_000 };
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await abortable(request(), signal);
    } catch (err) {
      if (signal.aborted) throw err;
      const failure = classifyGitLabError(err);
      const pause =
        failure.kind === 'retry'
          ? nextPauseMs(policy, attempt, failure.retryAfterMs ?? 0, deadline - Date.now())
          : undefined;
      if (pause === undefined) throw err;
      await sleep(pause, undefined, { signal });
    }
  }
}
