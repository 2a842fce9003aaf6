import type { GitLabState } from './commit-status.js';

const terminal: ReadonlySet<GitLabState> = new Set(['success', 'failed', 'canceled', 'skipped']);

/**
 * Whether to post `next` when `last` is the state last posted for the same commit, ref and name.
 * GitLab refuses a repeated non-terminal state (400 "Cannot transition status via :run from
 * :running") and running → pending; a repeated terminal state would add a needless retried status.
 * Anything after a terminal state starts a new status (a retry), which GitLab accepts.
 */
export function shouldPost(last: GitLabState | undefined, next: GitLabState): boolean {
  if (last === undefined) return true;
  if (last === next) return false;
  if (last === 'running' && next === 'pending') return false;
  return true;
}

export function isTerminalState(state: GitLabState): boolean {
  return terminal.has(state);
}
