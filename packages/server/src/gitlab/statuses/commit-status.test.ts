import type { PipelineRecord, StageRecord } from '@ferry/shared';
import { describe, expect, it } from 'vitest';
import type { Transition } from '../../reporting/reporter.js';
import { statusUpdateFor } from './commit-status.js';

const links = {
  pipelineUrl: (id: string, stage?: string) =>
    `https://ferry.example.com/pipelines/${id}${stage ? `#${stage}` : ''}`,
};

function pipeline(
  patch: Partial<PipelineRecord> = {},
  stages: Partial<Record<string, Partial<StageRecord>>> = {},
): PipelineRecord {
  return {
    id: 'p41',
    project: {
      id: 4217,
      path: 'shop/order-service',
      webUrl: 'https://gitlab/shop/order-service',
      cloneUrl: '',
    },
    environment: 'test',
    ref: 'test',
    sha: '36dd036d3f914c9aec66075ca425d6b611fb8d29',
    trigger: 'merge',
    user: { username: 'li.wei', name: 'Li Wei' },
    commitTitle: 'Fix order total',
    status: 'running',
    stages: (['test', 'build', 'deploy'] as const).map((name) => ({
      name,
      status: 'pending',
      attempts: 0,
      ...stages[name],
    })),
    priority: 10,
    lane: '4217:test',
    createdAt: '2025-03-14T02:00:00.000Z',
    queuedAt: '2025-03-14T02:00:00.000Z',
    startedAt: '2025-03-14T02:00:01.000Z',
    ...patch,
  };
}

const p = (status: Transition['status']): Transition =>
  ({ id: '1-0', kind: 'pipeline', pipelineId: 'p41', status, at: '2025-03-14T02:00:05.000Z' }) as Transition;
const s = (stage: 'test' | 'build' | 'deploy', status: Transition['status']): Transition =>
  ({
    id: '1-0',
    kind: 'stage',
    pipelineId: 'p41',
    stage,
    status,
    at: '2025-03-14T02:00:05.000Z',
  }) as Transition;

const done = { startedAt: '2025-03-14T02:00:01.000Z', finishedAt: '2025-03-14T02:02:04.000Z' };

describe('statusUpdateFor', () => {
  it.each([
    ['pipeline queued', p('queued'), pipeline({ status: 'queued' }), 'ferry', 'pending', 'Queued for test'],
    ['pipeline running', p('running'), pipeline(), 'ferry', 'running', 'Running for test'],
    [
      'waiting for approval shows on deploy',
      p('waiting_approval'),
      pipeline({ environment: 'prod', status: 'waiting_approval' }),
      'ferry/deploy',
      'pending',
      'Waiting for approval to deploy to prod',
    ],
    [
      'pipeline success with its duration',
      p('success'),
      pipeline(
        { status: 'success', finishedAt: '2025-03-14T02:02:04.000Z' },
        { test: { status: 'success' }, build: { status: 'success' }, deploy: { status: 'success' } },
      ),
      'ferry',
      'success',
      'Deployed to test in 2m 3s',
    ],
    [
      'pipeline success whose deploy stage is off: not "Deployed"',
      p('success'),
      pipeline(
        { status: 'success', finishedAt: '2025-03-14T02:02:04.000Z' },
        { test: { status: 'success' }, build: { status: 'success' }, deploy: { status: 'skipped' } },
      ),
      'ferry',
      'success',
      'Image built, not deployed in 2m 3s',
    ],
    [
      'pipeline success that only tested (a library, a merge request check)',
      p('success'),
      pipeline(
        { status: 'success', finishedAt: '2025-03-14T02:02:04.000Z' },
        { test: { status: 'success' }, build: { status: 'skipped' }, deploy: { status: 'skipped' } },
      ),
      'ferry',
      'success',
      'Passed, nothing deployed in 2m 3s',
    ],
    [
      'pipeline failed at a stage',
      p('failed'),
      pipeline(
        {
          status: 'failed',
          finishedAt: '2025-03-14T02:01:03.000Z',
          reason: 'stage test failed: exit code 1',
        },
        { test: { status: 'failed', reason: 'exit code 1' } },
      ),
      'ferry',
      'failed',
      'Failed at test after 1m 2s: exit code 1',
    ],
    [
      'pipeline failed and rolled back',
      p('failed'),
      pipeline(
        { status: 'failed', finishedAt: '2025-03-14T02:01:03.000Z' },
        {
          deploy: {
            status: 'failed',
            reason: 'rollout timed out; rolled back to registry.vpc/shop/order:3f2a1c0',
          },
        },
      ),
      'ferry',
      'failed',
      'Failed at deploy after 1m 2s, rolled back to registry.vpc/shop/order:3f2a1c0: rollout timed out; rolled back to registry.vpc/shop/order:3f2a1c0',
    ],
    [
      'approval expired',
      p('failed'),
      pipeline({
        status: 'failed',
        reason: 'nobody approved the deploy to prod in time',
        startedAt: undefined,
      }),
      'ferry',
      'failed',
      'Failed: nobody approved the deploy to prod in time',
    ],
    [
      'canceled by someone',
      p('canceled'),
      pipeline({ status: 'canceled', reason: 'canceled by alice', finishedAt: '2025-03-14T02:00:13.000Z' }),
      'ferry',
      'canceled',
      'Canceled by alice after 12s',
    ],
    [
      'superseded',
      p('skipped'),
      pipeline({ status: 'skipped', reason: 'superseded by pipeline p42' }),
      'ferry',
      'skipped',
      'Skipped: superseded by pipeline p42',
    ],
    ['stage test running', s('test', 'running'), pipeline(), 'ferry/test', 'running', 'Testing'],
    [
      'stage build running',
      s('build', 'running'),
      pipeline(),
      'ferry/build',
      'running',
      'Building the image',
    ],
    [
      'stage deploy running',
      s('deploy', 'running'),
      pipeline(),
      'ferry/deploy',
      'running',
      'Deploying to test',
    ],
    [
      'stage success with duration',
      s('test', 'success'),
      pipeline({}, { test: { status: 'success', ...done } }),
      'ferry/test',
      'success',
      'Passed in 2m 3s',
    ],
    [
      'stage failed with its reason',
      s('build', 'failed'),
      pipeline({}, { build: { status: 'failed', reason: 'docker build exited 2', ...done } }),
      'ferry/build',
      'failed',
      'Failed after 2m 3s: docker build exited 2',
    ],
    [
      'a later record does not lend its details to an earlier step',
      s('test', 'running'),
      pipeline({ status: 'success' }, { test: { status: 'success', ...done } }),
      'ferry/test',
      'running',
      'Testing',
    ],
    [
      'stage skipped after a failure',
      s('deploy', 'skipped'),
      pipeline({ status: 'failed' }, { test: { status: 'failed' }, deploy: { status: 'skipped' } }),
      'ferry/deploy',
      'skipped',
      'Skipped: test failed',
    ],
    ['stage canceled', s('build', 'canceled'), pipeline(), 'ferry/build', 'canceled', 'Canceled'],
  ])('%s', (_name, transition, record, name, state, description) => {
    expect(statusUpdateFor(transition, record, links)).toMatchObject({
      projectId: 4217,
      sha: record.sha,
      ref: 'test',
      name,
      state,
      description,
    });
  });

  it('links the pipeline, and the stage for a stage status', () => {
    expect(statusUpdateFor(p('running'), pipeline(), links)?.targetUrl).toBe(
      'https://ferry.example.com/pipelines/p41',
    );
    expect(statusUpdateFor(s('build', 'running'), pipeline(), links)?.targetUrl).toBe(
      'https://ferry.example.com/pipelines/p41#build',
    );
  });

  it('asks for nothing on a pending stage', () => {
    expect(statusUpdateFor(s('test', 'pending'), pipeline(), links)).toBeUndefined();
  });

  it('keeps the description within GitLab’s 255 characters, on one line, without hidden characters', () => {
    const reason = `exit 1\n${'断'.repeat(400)}\u202e`;
    const update = statusUpdateFor(
      s('test', 'failed'),
      pipeline({}, { test: { status: 'failed', reason } }),
      links,
    );
    expect(Array.from(update?.description ?? '')).toHaveLength(255);
    expect(update?.description).not.toMatch(/[\n\u202e]/);
    expect(update?.description.endsWith('…')).toBe(true);
  });

  it('leaves out a target_url GitLab would refuse', () => {
    const long = { pipelineUrl: () => `https://ferry.example.com/${'x'.repeat(300)}` };
    expect(statusUpdateFor(p('running'), pipeline(), long)?.targetUrl).toBeUndefined();
  });
});
