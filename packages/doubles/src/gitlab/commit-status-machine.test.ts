import { describe, expect, it } from 'vitest';
import { applyRequestedState, type JobStatus, type RequestedState } from './commit-status-machine.js';

// Only `created` (a new status) and the open states `pending`/`running` are ever the current
// state of a POST: GitLab starts a new status once the previous one is terminal.
const cases: Array<[JobStatus, RequestedState, JobStatus | string]> = [
  ['created', 'pending', 'pending'],
  ['created', 'running', 'running'],
  ['created', 'success', 'success'],
  ['created', 'failed', 'failed'],
  ['created', 'canceled', 'canceled'],
  ['created', 'skipped', 'skipped'],
  ['pending', 'pending', 'Cannot transition status via :enqueue from :pending'],
  ['pending', 'running', 'running'],
  ['pending', 'success', 'success'],
  ['pending', 'failed', 'failed'],
  ['pending', 'canceled', 'canceled'],
  ['pending', 'skipped', 'skipped'],
  ['running', 'pending', 'Cannot transition status via :enqueue from :running'],
  ['running', 'running', 'Cannot transition status via :run from :running'],
  ['running', 'success', 'success'],
  ['running', 'failed', 'failed'],
  ['running', 'canceled', 'canceled'],
  ['running', 'skipped', 'Cannot transition status via :skip from :running'],
];

describe('GitLab commit status state machine', () => {
  it.each(cases)('%s + %s → %s', (from, requested, expected) => {
    const result = applyRequestedState(from, requested);
    if (expected.startsWith('Cannot')) {
      expect(result.ok).toBe(false);
      if (!result.ok)
        expect(result.message.startsWith(`${expected} (Reason(s): Status cannot transition via`)).toBe(true);
    } else {
      expect(result).toMatchObject({ ok: true, status: expected });
    }
  });

  it('words the repeated-running error exactly as GitLab does', () => {
    expect(applyRequestedState('running', 'running')).toEqual({
      ok: false,
      message:
        'Cannot transition status via :run from :running (Reason(s): Status cannot transition via "run")',
    });
  });

  it('passes through pending when a new status is posted as running', () => {
    expect(applyRequestedState('created', 'running')).toEqual({
      ok: true,
      status: 'running',
      path: ['pending', 'running'],
    });
  });
});
