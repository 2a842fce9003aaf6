import { describe, expect, it } from 'vitest';
import { toTransition } from './transition.js';

describe('toTransition', () => {
  it.each([
    [
      'a pipeline transition',
      ['1-0', ['kind', 'pipeline', 'id', 'p1', 'status', 'running', 'at', 't']],
      { id: '1-0', kind: 'pipeline', pipelineId: 'p1', status: 'running', at: 't' },
    ],
    [
      'a stage transition',
      ['2-0', ['kind', 'stage', 'id', 'p1', 'stage', 'build', 'status', 'failed', 'at', 't']],
      { id: '2-0', kind: 'stage', pipelineId: 'p1', stage: 'build', status: 'failed', at: 't' },
    ],
    ['an unknown kind', ['3-0', ['kind', 'other', 'id', 'p1', 'status', 'running']], undefined],
    ['an unknown status', ['3-0', ['kind', 'pipeline', 'id', 'p1', 'status', 'exploded']], undefined],
    [
      'an unknown stage',
      ['3-0', ['kind', 'stage', 'id', 'p1', 'stage', 'lint', 'status', 'running']],
      undefined,
    ],
    ['no id', ['3-0', ['kind', 'pipeline', 'status', 'running']], undefined],
  ] as const)('%s', (_name, entry, expected) => {
    expect(toTransition([entry[0], [...entry[1]]])).toEqual(expected);
  });
});
