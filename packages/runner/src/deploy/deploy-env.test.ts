import { deployTimeBudgetMs } from '@ferry/shared';
import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { apiFailure } from './api-error.js';
import { readDeployJob } from './deploy-env.js';
import { logsFromPrevious, podProblems } from './pod-problems.js';

const plan = {
  environment: 'test',
  namespace: 'g-test',
  service: 'web',
  sha: 'a'.repeat(40),
  image: { repository: 'g/web', tag: 'a'.repeat(40) },
  build: { dockerfile: 'Dockerfile', context: '.' },
  deploy: { port: 8080, rollout: { progressDeadlineMs: 600_000 } },
  names: { deployment: 'web' },
  canary: null,
};
const env = {
  FERRY_PLAN: JSON.stringify(plan),
  FERRY_IMAGE: `r:5000/g/web@sha256:${'b'.repeat(64)}`,
  FERRY_REGISTRY: 'r:5000',
  FERRY_REGISTRY_USER: 'ci',
  FERRY_REGISTRY_PASSWORD: 'pw',
  FERRY_DEPLOY_META: JSON.stringify({ pipelineId: 'p1', mergedBy: 'alice' }),
};

describe('readDeployJob', () => {
  it('reads the job; without a kubeconfig it is in-cluster', () => {
    expect(readDeployJob(env)).toMatchObject({
      image: env.FERRY_IMAGE,
      registry: { endpoint: 'r:5000', username: 'ci', password: 'pw' },
      kubeconfig: null,
      meta: { pipelineId: 'p1', mergedBy: 'alice' },
      canaryPromote: 'auto',
    });
    expect(readDeployJob({ ...env, FERRY_REGISTRY_USER: '' })).toMatchObject({ registry: null });
  });

  it.each([
    [{ FERRY_IMAGE: '' }, 'FERRY_IMAGE is not set'],
    [{ FERRY_IMAGE: 'Not An Image' }, 'FERRY_IMAGE is not an image reference'],
    [{ FERRY_DEPLOY_META: '{}' }, 'FERRY_DEPLOY_META has no pipelineId'],
    [{ FERRY_DEPLOY_META: '{"pipelineId":"p","commit":1}' }, 'FERRY_DEPLOY_META.commit must be a string'],
    [{ FERRY_CANARY_PROMOTE: 'later' }, 'FERRY_CANARY_PROMOTE must be auto or manual'],
  ])('refuses %j', (over, problem) => {
    const job = readDeployJob({ ...env, ...over });
    expect('problem' in job && job.problem).toBe(problem);
  });
});

describe('podProblems', () => {
  const pod: V1Pod = {
    metadata: { name: 'web-1' },
    status: {
      phase: 'Pending',
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'ContainersNotReady',
          message: 'containers with unready status: [web]',
        },
      ],
      containerStatuses: [
        {
          name: 'web',
          image: 'x',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "x"' } },
        },
      ],
    },
  };
  const events = [
    { type: 'Warning', reason: 'Failed', message: 'Failed to pull image "x": unauthorized', count: 3 },
    { type: 'Normal', reason: 'Scheduled', message: 'ok' },
  ] as CoreV1Event[];

  it('names the reasons and the Warning events', () => {
    expect(podProblems(pod, events)).toEqual([
      'phase Pending',
      'Ready: ContainersNotReady (containers with unready status: [web])',
      'container web waiting: ImagePullBackOff (Back-off pulling image "x")',
      'event Failed (x3): Failed to pull image "x": unauthorized',
    ]);
  });

  it('reads the previous container after a crash', () => {
    expect(
      logsFromPrevious({
        name: 'web',
        image: '',
        imageID: '',
        ready: false,
        restartCount: 2,
        state: { waiting: { reason: 'CrashLoopBackOff' } },
      }),
    ).toBe(true);
    expect(
      logsFromPrevious({
        name: 'web',
        image: '',
        imageID: '',
        ready: true,
        restartCount: 2,
        state: { running: {} },
      }),
    ).toBe(false);
  });
});

describe('apiFailure and the time budget', () => {
  it.each([
    [
      { code: 409, body: '{"kind":"Status","reason":"Conflict","message":"Apply failed with 1 conflict"}' },
      { code: 409, reason: 'Conflict', message: '409 Apply failed with 1 conflict' },
    ],
    [
      { code: 403, body: { reason: 'Forbidden', message: 'namespaces is forbidden' } },
      { code: 403, reason: 'Forbidden', message: '403 namespaces is forbidden' },
    ],
    [new Error('connect ECONNREFUSED'), { code: 0, reason: '', message: 'connect ECONNREFUSED' }],
  ])('apiFailure(%j)', (err, expected) => {
    expect(apiFailure(err)).toEqual(expected);
  });

  it('covers a rollout, a rollback and every canary step with its pause', () => {
    const deploy = { rollout: { progressDeadlineMs: 60_000 } } as never;
    expect(deployTimeBudgetMs({ deploy, canary: null })).toBe(2 * 75_000 + 60_000);
    expect(deployTimeBudgetMs({ deploy, canary: { steps: [10, 50, 100], pauseMs: 300_000 } })).toBe(
      2 * 75_000 + 2 * 375_000 + 60_000,
    );
  });
});
