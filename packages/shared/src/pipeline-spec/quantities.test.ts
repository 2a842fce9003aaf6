import { describe, expect, it } from 'vitest';
import {
  cpuProblem,
  formatBytes,
  memoryProblem,
  parseQuantity,
  storageProblem,
  tryParseQuantity,
} from './quantities.js';

describe('quantities', () => {
  it.each([
    ['500m', 0.5],
    ['2', 2],
    ['0.5', 0.5],
    ['1Gi', 2 ** 30],
    ['512Mi', 512 * 2 ** 20],
    ['1G', 1e9],
    ['1k', 1000],
    ['1e3', 1000],
    ['.5', 0.5],
    [2, 2],
    [0.25, 0.25],
  ] as const)('parseQuantity(%j) = %d', (input, value) => {
    expect(parseQuantity(input)).toBeCloseTo(value, 9);
  });

  it.each(['', 'abc', '1gi', '1 Gi', '-1', '1Gb', 'Gi', '1.2.3'])('refuses %j', (input) => {
    expect(tryParseQuantity(input)).toBeUndefined();
    expect(() => parseQuantity(input)).toThrow(/not a quantity/);
  });

  it.each([
    ['500m', undefined],
    ['2', undefined],
    [0.5, undefined],
    ['1Gi', 'byte size'],
    ['0.0001', 'less than 1m'],
    ['128', 'more than 64 cores'],
    ['lots', 'not a CPU amount'],
  ] as const)('cpuProblem(%j) mentions %j', (input, fragment) => {
    const problem = cpuProblem(input);
    if (fragment === undefined) expect(problem).toBeUndefined();
    else expect(problem?.message).toContain(fragment);
  });

  it.each([
    ['512Mi', undefined],
    ['2Gi', undefined],
    ['1G', undefined],
    ['512m', '"m" is milli'],
    ['512', 'below the smallest'],
    ['1Ti', 'above the largest'],
  ] as const)('memoryProblem(%j) mentions %j', (input, fragment) => {
    const problem = memoryProblem(input);
    if (fragment === undefined) expect(problem).toBeUndefined();
    else expect(problem?.message).toContain(fragment);
  });

  it('suggests Mi for a milli memory size', () => {
    expect(memoryProblem('512m')?.hint).toBe('write 512Mi for mebibytes');
  });

  it.each([
    ['5Gi', undefined],
    ['1Ti', undefined],
    ['100', 'below the smallest'],
    ['1Ei', 'above the largest'],
  ] as const)('storageProblem(%j) mentions %j', (input, fragment) => {
    const problem = storageProblem(input);
    if (fragment === undefined) expect(problem).toBeUndefined();
    else expect(problem?.message).toContain(fragment);
  });

  it('formats bytes in whole binary units', () => {
    expect(formatBytes(512 * 2 ** 20)).toBe('512Mi');
    expect(formatBytes(4 * 2 ** 20)).toBe('4Mi');
    expect(formatBytes(1000)).toBe('1000');
  });
});
