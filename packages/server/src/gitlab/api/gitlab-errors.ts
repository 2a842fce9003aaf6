import type { GitLabState } from '../statuses/commit-status.js';

/** What a failed GitLab request means for Ferry. */
export type GitLabFailure =
  /** GitLab's state machine refused the move: the status is already there (or past it). */
  | { kind: 'transition'; current?: GitLabState; message: string }
  /** Worth retrying later: 429, 5xx, 409 (a concurrent update), timeouts, network errors. */
  | { kind: 'retry'; status?: number; retryAfterMs?: number; message: string }
  /** 401, 403, 404: configuration (token, role, project, commit); retrying does not help. */
  | { kind: 'refused'; status: number; message: string }
  /** Another 4xx: GitLab considers the request itself wrong. */
  | { kind: 'invalid'; status: number; message: string };

interface ResponseLike {
  status: number;
  headers?: { get(name: string): string | null };
}

const states: ReadonlySet<string> = new Set([
  'pending',
  'running',
  'success',
  'failed',
  'canceled',
  'skipped',
]);

/**
 * Classifies an error thrown by @gitbeaker/rest (GitbeakerRequestError carries GitLab's message and
 * `cause.response`; GitbeakerRetryError follows 10 quick 429/502 retries; GitbeakerTimeoutError;
 * fetch's TypeError for connection failures). Messages never include the token.
 */
export function classifyGitLabError(err: unknown): GitLabFailure {
  const error = err instanceof Error ? err : new Error(String(err));
  const message = oneLineMessage(error.message);
  const response = responseOf(error);
  if (response === undefined) {
    if (error.name === 'AbortError') return { kind: 'retry', message: 'aborted' };
    const code = (error.cause as { code?: string } | undefined)?.code;
    return { kind: 'retry', message: code === undefined ? message : `${message} (${code})` };
  }
  const status = response.status;
  if (status === 400 && message.startsWith('Cannot transition status via')) {
    const current = /from :(\w+)/.exec(message)?.[1];
    return current !== undefined && states.has(current)
      ? { kind: 'transition', current: current as GitLabState, message }
      : { kind: 'transition', message };
  }
  if (status === 429 || status === 409 || status >= 500) {
    const retryAfterMs = retryAfter(response.headers?.get('retry-after') ?? null);
    return retryAfterMs === undefined
      ? { kind: 'retry', status, message: `${status} ${message}` }
      : { kind: 'retry', status, retryAfterMs, message: `${status} ${message}` };
  }
  if (status === 401 || status === 403 || status === 404) return { kind: 'refused', status, message };
  return { kind: 'invalid', status, message };
}

function responseOf(error: Error): ResponseLike | undefined {
  const cause = error.cause as { response?: unknown } | undefined;
  const response = cause?.response as ResponseLike | undefined;
  return typeof response?.status === 'number' ? response : undefined;
}

/** `Retry-After` in seconds or as an HTTP date, in milliseconds. */
export function retryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

function oneLineMessage(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  // HTML error pages (a proxy's 502/503) say nothing useful beyond their status.
  if (/^<!DOCTYPE|^<html/i.test(line)) return 'an HTML error page';
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}
