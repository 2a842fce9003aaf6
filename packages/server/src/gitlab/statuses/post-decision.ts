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

/**
 * The state to send for `requested` given the last state posted: `skipped` becomes `canceled` when
 * this GitLab does not take it (before 17.6) and after `running` (GitLab's `skip` event only
 * leaves created/pending: running → skipped is a 400, and it would read wrong anyway).
 */
export function stateToSend(
  requested: GitLabState,
  last: GitLabState | undefined,
  skippedAccepted: boolean,
): GitLabState {
  if (requested !== 'skipped') return requested;
  if (!skippedAccepted || last === 'running') return 'canceled';
  return 'skipped';
}
