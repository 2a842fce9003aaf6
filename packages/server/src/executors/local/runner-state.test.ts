import { describe, expect, it } from 'vitest';
import { parseRunnerState, type RunnerState } from './runner-state.js';

const state: RunnerState = {
  version: 1,
  id: 'ferry-p1-test-1-0a0b0c0d',
  pipelineId: 'p1',
  stage: 'test',
  attempt: 1,
  projectPath: 'group/app',
  sha: 'a'.repeat(40),
  createdAt: '2025-01-01T00:00:00.000Z',
  group: { pgid: 4242, startTicks: 99 },
};

describe('parseRunnerState', () => {
  it('reads back what is written', () => {
    expect(parseRunnerState(JSON.stringify(state))).toEqual(state);
  });
  it.each<[string, string]>([
    ['not JSON', '{'],
    ['null', 'null'],
    ['another version', JSON.stringify({ ...state, version: 2 })],
    ['no id', JSON.stringify({ ...state, id: undefined })],
  ])('refuses %s', (_name, text) => {
    expect(parseRunnerState(text)).toBeUndefined();
  });
  it.each([0, 1, -5, 1.5, '42'])('ignores a group id %j it must never signal', (pgid) => {
    expect(parseRunnerState(JSON.stringify({ ...state, group: { pgid } }))).not.toHaveProperty('group');
  });
});
