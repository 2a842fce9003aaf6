import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, tryParseDuration } from './durations.js';

describe('durations', () => {
  it.each([
    ['90s', 90_000],
    ['15m', 900_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['500ms', 500],
    ['7d', 604_800_000],
    ['0s', 0],
    ['1h1m1s', 3_661_000],
  ])('parseDuration(%j) = %d', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '15', '15 m', 'm', '-5m', '1y', '15M', 'PT15M', '1h 30m', '.5h'])('refuses %j', (text) => {
    expect(tryParseDuration(text)).toBeUndefined();
    expect(() => parseDuration(text)).toThrow(/not a duration/);
  });

  it.each([
    [0, '0s'],
    [90_000, '1m30s'],
    [5_400_000, '1h30m'],
    [86_400_000, '1d'],
    [1_500, '1s500ms'],
  ])('formatDuration(%d) = %j and reads back', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });
});
