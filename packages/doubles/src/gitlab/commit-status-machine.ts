/**
 * GitLab's commit-status state machine for external statuses, as `Ci::CreateCommitStatusService`
 * drives `CommitStatus`'s state machine:
 *
 *   requested   event(s) applied              allowed from
 *   pending     enqueue!                      created
 *   running     enqueue (may fail), run!      created (via pending), pending
 *   success     success!                      created, pending, running
 *   failed      drop!                         created, pending, running
 *   canceled    cancel!                       created, pending, running
 *   skipped     skip!                         created, pending
 *
 * A POST only ever updates a status that is still `pending` or `running` (same name, ref, user);
 * otherwise it starts a new one in `created`, so a terminal status is never moved: the next POST
 * creates a new status and the old one is marked retried. An event that is not allowed is a 400
 * whose message names the event and the current state, e.g.
 * `Cannot transition status via :run from :running (Reason(s): Status cannot transition via "run")`.
 */

export type RequestedState = 'pending' | 'running' | 'success' | 'failed' | 'canceled' | 'skipped';

export type JobStatus = 'created' | RequestedState;

export const REQUESTED_STATES: readonly RequestedState[] = [
  'pending',
  'running',
  'success',
  'failed',
  'canceled',
  'skipped',
];

export const TERMINAL_STATES: readonly JobStatus[] = ['success', 'failed', 'canceled', 'skipped'];

type StateEvent = 'enqueue' | 'run' | 'success' | 'drop' | 'cancel' | 'skip';

const EVENTS: Record<StateEvent, { from: readonly JobStatus[]; to: JobStatus }> = {
  enqueue: { from: ['created', 'skipped'], to: 'pending' },
  run: { from: ['pending'], to: 'running' },
  success: { from: ['created', 'pending', 'running'], to: 'success' },
  drop: { from: ['created', 'pending', 'running'], to: 'failed' },
  cancel: { from: ['created', 'pending', 'running'], to: 'canceled' },
  skip: { from: ['created', 'pending'], to: 'skipped' },
};

export type TransitionResult =
  | { ok: true; status: JobStatus /** every state passed through, in order */; path: JobStatus[] }
  | { ok: false; message: string };

export function transitionMessage(event: StateEvent, from: JobStatus): string {
  return `Cannot transition status via :${event} from :${from} (Reason(s): Status cannot transition via "${event}")`;
}

function fire(event: StateEvent, from: JobStatus): JobStatus | undefined {
  const rule = EVENTS[event];
  return rule.from.includes(from) ? rule.to : undefined;
}

/** Applies a requested state to a status currently in `current`. */
export function applyRequestedState(current: JobStatus, requested: RequestedState): TransitionResult {
  const strict = (event: StateEvent, from: JobStatus, path: JobStatus[]): TransitionResult => {
    const next = fire(event, from);
    return next === undefined
      ? { ok: false, message: transitionMessage(event, from) }
      : { ok: true, status: next, path: [...path, next] };
  };
  switch (requested) {
    case 'pending':
      return strict('enqueue', current, []);
    case 'running': {
      // `job.enqueue` (no bang) is silently refused unless the job is new, then `job.run!`.
      const queued = fire('enqueue', current);
      return queued === undefined ? strict('run', current, []) : strict('run', queued, [queued]);
    }
    case 'success':
      return strict('success', current, []);
    case 'failed':
      return strict('drop', current, []);
    case 'canceled':
      return strict('cancel', current, []);
    case 'skipped':
      return strict('skip', current, []);
  }
}

/** Whether a status in this state is still updated in place by the next POST. */
export function isOpen(status: JobStatus): boolean {
  return status === 'pending' || status === 'running';
}
