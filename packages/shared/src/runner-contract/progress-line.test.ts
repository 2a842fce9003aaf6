import { describe, expect, it } from 'vitest';
import { RUNNER_CONTRACT_VERSION } from './contract-version.js';
import { formatProgressLine, parseProgressLine } from './progress-line.js';
import { escapeOutputLine } from './result-line.js';
import { ResultLineReader } from './result-line-reader.js';

const step = { canary: { step: 1, of: 3, percent: 10, state: 'running' as const } };

describe('progress lines', () => {
  it('round-trips what the writer prints', () => {
    expect(parseProgressLine(formatProgressLine(step))).toEqual(step);
    const promoted = { canary: { ...step.canary, state: 'promoted' as const, by: 'the pause is over' } };
    expect(parseProgressLine(`${formatProgressLine(promoted)}\r`)).toEqual(promoted);
  });

  it.each([
    ['not a progress line', 'canary step 1/3 (10%)'],
    ['after column 0', ` ${formatProgressLine(step)}`],
    ['not JSON', '::ferry-progress::{'],
    [
      'another contract',
      `::ferry-progress::{"contract":${RUNNER_CONTRACT_VERSION + 1},"canary":${JSON.stringify(step.canary)}}`,
    ],
    ['no contract', `::ferry-progress::${JSON.stringify(step)}`],
    ['a state it does not know', formatProgressLine(step).replace('"running"', '"paused"')],
    ['a step of 0', formatProgressLine({ canary: { ...step.canary, step: 0 } })],
    ['100% is not a canary step', formatProgressLine({ canary: { ...step.canary, percent: 100 } })],
  ])('ignores %s', (_name, line) => {
    expect(parseProgressLine(line)).toBeUndefined();
  });

  it('cannot be forged by output the runner passes through (escaped to column 1)', () => {
    expect(parseProgressLine(escapeOutputLine(formatProgressLine(step)))).toBeUndefined();
  });

  it('reaches the reader callback once per line, in order, across chunk boundaries', () => {
    const seen: unknown[] = [];
    const reader = new ResultLineReader((p) => seen.push(p));
    const two = { canary: { ...step.canary, state: 'promoted' as const } };
    const text = `deploying\n${formatProgressLine(step)}\nmore output\n${formatProgressLine(two)}\n::ferry-result::{}`;
    for (let i = 0; i < text.length; i += 7) reader.feed(text.slice(i, i + 7));
    expect(seen).toEqual([step, two]);
    expect(reader.last()).toBe('::ferry-result::{}');
    expect(seen).toHaveLength(2);
  });
});
