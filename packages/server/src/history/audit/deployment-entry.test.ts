import type { PipelineRecord, StageRecord } from '@ferry/shared';
import { describe, expect, it } from 'vitest';
import { deploymentOf, deploymentsOf, matchesDeployment, mergeDeployments } from './deployment-entry.js';

const at = '2026-03-01T10:00:00.000Z';
const stage = (name: StageRecord['name'], extra: Partial<StageRecord> = {}): StageRecord => ({
  name,
  status: 'success',
  attempts: 1,
  startedAt: at,
  finishedAt: at,
  ...extra,
});

function record(overrides: Partial<PipelineRecord> = {}): PipelineRecord {
  return {
    id: 'p1',
    project: { id: 7, path: 'shop/orders', webUrl: '', cloneUrl: '' },
    environment: 'prod',
    ref: 'master',
    sha: 'a'.repeat(40),
    trigger: 'merge',
    user: { username: 'alice', name: 'Alice' },
    commitTitle: 't',
    status: 'success',
    stages: [stage('test'), stage('build'), stage('deploy')],
    priority: 1,
    lane: '7:prod',
    createdAt: at,
    queuedAt: at,
    ...overrides,
  };
}

describe('deploymentOf', () => {
  it.each([
    ['a merge that deployed', record(), { kind: 'deploy', outcome: 'success', user: 'alice' }],
    ['a rollback pipeline', record({ trigger: 'rollback' }), { kind: 'rollback', outcome: 'success' }],
    [
      'a rollout that failed and went back',
      record({
        status: 'failed',
        stages: [stage('deploy', { status: 'failed' })],
        release: { rolledBackTo: 'b'.repeat(40) },
      }),
      { outcome: 'rolled_back', rolledBackTo: 'b'.repeat(40) },
    ],
    [
      'a deploy still running',
      record({
        status: 'running',
        stages: [stage('deploy', { status: 'running', finishedAt: undefined, startedAt: at })],
      }),
      { outcome: 'running', at },
    ],
    [
      'an image and its digest',
      record({ image: { reference: 'r/x@sha256:1', digest: 'sha256:1', tags: [] } }),
      { imageDigest: 'sha256:1', imageReference: 'r/x@sha256:1' },
    ],
  ])('%s', (_, input, expected) => {
    expect(deploymentOf(input)).toMatchObject(expected);
  });

  it.each([
    [
      'the test stage failed',
      record({
        stages: [
          stage('test', { status: 'failed' }),
          stage('deploy', { status: 'skipped', startedAt: undefined }),
        ],
      }),
    ],
    ['no deploy stage (a merge request pipeline)', record({ stages: [stage('test')] })],
  ])('none when %s', (_, input) => {
    expect(deploymentOf(input)).toBeUndefined();
  });

  it('lists each canary decision after the deploy, by who decided, with the step', () => {
    const entries = deploymentsOf(
      record({
        release: { rolledBackTo: 'b'.repeat(40) },
        canaryDecisions: [
          { verdict: 'promote', by: 'bob', at: '2026-03-01T09:50:00.000Z', step: '1/3 10%' },
          { verdict: 'abort', by: 'carol', at: '2026-03-01T09:55:00.000Z' },
        ],
      }),
    );
    expect(entries.map((e) => [e.kind, e.user, e.at, e.outcome, e.canaryStep, e.rolledBackTo])).toEqual([
      ['deploy', 'alice', at, 'rolled_back', undefined, 'b'.repeat(40)],
      ['canary', 'bob', '2026-03-01T09:50:00.000Z', 'promoted', '1/3 10%', undefined],
      ['canary', 'carol', '2026-03-01T09:55:00.000Z', 'aborted', undefined, undefined],
    ]);
    expect(deploymentsOf(record({ stages: [stage('test')] }))).toEqual([]);
    // Merged: a pipeline's deploy and its steps are different entries, each read twice counts once.
    expect(mergeDeployments(entries, entries, 10)).toHaveLength(3);
  });

  it('filters and merges newest first, each pipeline once', () => {
    const a = deploymentOf(record({ id: 'a' }))!;
    const b = { ...a, pipelineId: 'b', at: '2026-03-02T00:00:00.000Z' };
    expect(matchesDeployment(a, { limit: 1, since: '2026-03-02T00:00:00.000Z' })).toBe(false);
    expect(matchesDeployment(b, { limit: 1, environment: 'prod', projectPath: 'shop/orders' })).toBe(true);
    expect(matchesDeployment(b, { limit: 1, projectId: 8 })).toBe(false);
    expect(mergeDeployments([a], [b, a], 10).map((e) => e.pipelineId)).toEqual(['b', 'a']);
    expect(mergeDeployments([a], [b], 1).map((e) => e.pipelineId)).toEqual(['b']);
  });
});
