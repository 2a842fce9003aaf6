import type { PipelineRecord, StageRecord } from '@ferry/shared';
import { describe, expect, it } from 'vitest';
import { stageSettled } from './stage-settled.js';

const stage = (name: StageRecord['name'], status: StageRecord['status'], extra: Partial<StageRecord> = {}) =>
  ({ name, status, attempts: 0, ...extra }) as StageRecord;

const record = (status: PipelineRecord['status'], stages: StageRecord[]) =>
  ({ id: 'p', status, stages }) as unknown as PipelineRecord;

describe('stageSettled', () => {
  const running = [stage('test', 'success'), stage('build', 'running'), stage('deploy', 'pending')];
  it.each([
    ['a missing pipeline', undefined, 'test', true],
    ['a running stage', record('running', running), 'build', false],
    ['a pending stage of a running pipeline', record('running', running), 'deploy', false],
    ['a finished stage', record('running', running), 'test', true],
    ['a pending stage of an ended pipeline', record('canceled', running), 'deploy', true],
    [
      'a stage the pipeline does not have (merge request: test only)',
      record('running', [stage('test', 'running')]),
      'deploy',
      true,
    ],
    [
      'a skipped (disabled) stage',
      record('running', [stage('test', 'skipped'), stage('build', 'running')]),
      'test',
      true,
    ],
    ['a job before the stage started', record('running', [stage('test', 'pending')]), 'test:unit', false],
    [
      'a running job',
      record('running', [stage('test', 'running', { jobs: [{ name: 'unit', status: 'running' }] })]),
      'test:unit',
      false,
    ],
    [
      'a finished job of a running stage',
      record('running', [
        stage('test', 'running', {
          jobs: [
            { name: 'unit', status: 'failed' },
            { name: 'lint', status: 'running' },
          ],
        }),
      ]),
      'test:unit',
      true,
    ],
    [
      'a job the running stage does not have',
      record('running', [stage('test', 'running', { jobs: [{ name: 'unit', status: 'running' }] })]),
      'test:e2e',
      true,
    ],
  ] as const)('%s → %s', (_, rec, key, expected) => {
    expect(stageSettled(rec, key)).toBe(expected);
  });
});
