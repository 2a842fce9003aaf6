import { describe, expect, it } from 'vitest';
import { skippedAccepted } from '../api/gitlab-version.js';
import type { GitLabState } from './commit-status.js';
import { shouldPost, stateToSend } from './post-decision.js';

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

describe('stateToSend', () => {
  it.each<[GitLabState, GitLabState | undefined, boolean, GitLabState]>([
    ['skipped', undefined, true, 'skipped'],
    ['skipped', 'pending', true, 'skipped'],
    // GitLab's skip event leaves only created/pending: never running → skipped.
    ['skipped', 'running', true, 'canceled'],
    // Before 17.6 GitLab refuses skipped (400): canceled says the same on every version.
    ['skipped', undefined, false, 'canceled'],
    ['running', 'pending', false, 'running'],
    ['success', 'running', false, 'success'],
  ])('%s after %s (skipped accepted: %s) → %s', (requested, last, accepted, expected) => {
    expect(stateToSend(requested, last, accepted)).toBe(expected);
  });
});

describe('skippedAccepted', () => {
  it.each([
    ['17.6.0', true],
    ['17.8.1-ee', true],
    ['18.0.0', true],
    ['17.5.9', false],
    ['16.11.10', false],
    ['15.0.0-pre', false],
    ['nonsense', false],
  ])('%s → %s', (version, expected) => {
    expect(skippedAccepted(version)).toBe(expected);
  });
});
