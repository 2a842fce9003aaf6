import { describe, expect, it } from 'vitest';
import type { GitLabState } from './commit-status.js';
import { shouldPost } from './post-decision.js';

describe('shouldPost', () => {
  it.each<[GitLabState | undefined, GitLabState, boolean]>([
    [undefined, 'pending', true],
    [undefined, 'running', true],
    [undefined, 'skipped', true],
    ['pending', 'pending', false],
    ['pending', 'running', true],
    ['pending', 'success', true],
    ['running', 'running', false],
    ['running', 'pending', false],
    ['running', 'success', true],
    ['running', 'failed', true],
    ['success', 'success', false],
    ['failed', 'failed', false],
    // After a terminal state, a retry of the pipeline starts a new status.
    ['failed', 'pending', true],
    ['failed', 'running', true],
    ['success', 'running', true],
    ['skipped', 'pending', true],
  ])('%s → %s: %s', (last, next, expected) => {
    expect(shouldPost(last, next)).toBe(expected);
  });
});
