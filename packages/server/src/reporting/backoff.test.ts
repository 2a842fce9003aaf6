import { describe, expect, it } from 'vitest';
import { backoffMs } from './backoff.js';
import { durationText, elapsedMs } from './duration-text.js';
import { rolledBackTo, wasRolledBack } from './rollback.js';

const policy = { initialMs: 1000, maxMs: 60_000 };

describe('backoffMs', () => {
  it.each([
    [1, 0, 0, 1000],
    [2, 0, 0, 2000],
    [7, 0, 0, 60_000],
    [40, 0, 0, 60_000],
    [1, 30_000, 0, 30_000],
    [1, 0, 1, 800],
  ])('attempt %s, floor %s, random %s → %s', (attempt, floor, random, expected) => {
    expect(backoffMs(policy, attempt, floor, () => random)).toBe(expected);
  });
});

describe('durationText', () => {
  it.each([
    [0, 'en', '0s'],
    [45_000, 'en', '45s'],
    [123_000, 'en', '2m 3s'],
    [120_000, 'en', '2m'],
    [3_720_000, 'en', '1h 2m'],
    [123_000, 'zh', '2分3秒'],
    [3_600_000, 'zh', '1小时'],
  ] as const)('%s ms in %s', (ms, language, expected) => {
    expect(durationText(ms, language)).toBe(expected);
  });

  it('measures between ISO times', () => {
    expect(elapsedMs('2025-03-14T02:00:00Z', '2025-03-14T02:00:05Z')).toBe(5000);
    expect(elapsedMs(undefined, '2025-03-14T02:00:05Z')).toBeUndefined();
    expect(elapsedMs('2025-03-14T02:00:05Z', '2025-03-14T02:00:00Z')).toBeUndefined();
  });
});

describe('rolledBackTo', () => {
  it.each([
    ['rollout failed; rolled back to registry.vpc/shop/order:3f2a1c0', 'registry.vpc/shop/order:3f2a1c0'],
    ['Rolled back to revision 7.', 'revision'],
    ['exit code 1', undefined],
  ])('%s', (reason, expected) => {
    expect(rolledBackTo(undefined, reason)).toBe(expected);
  });

  it('notices a rollback without a target', () => {
    expect(wasRolledBack('deployment rolled back')).toBe(true);
    expect(wasRolledBack(undefined, 'exit code 1')).toBe(false);
  });
});
