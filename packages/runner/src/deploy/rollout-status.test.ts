import type { V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { canaryDecision, trafficShare } from './canary-decision.js';
import { rolloutStatus } from './rollout-status.js';

function deployment(
  status: NonNullable<V1Deployment['status']>,
  opts: { generation?: number; replicas?: number; annotations?: Record<string, string> } = {},
): V1Deployment {
  return {
    metadata: {
      name: 'web',
      generation: opts.generation ?? 2,
      ...(opts.annotations ? { annotations: opts.annotations } : {}),
    },
    spec: { replicas: opts.replicas ?? 2, selector: { matchLabels: {} }, template: {} },
    status,
  };
}

describe('rolloutStatus', () => {
  it.each<[string, V1Deployment | undefined, string, string]>([
    ['gone', undefined, 'failed', 'the Deployment is gone'],
    [
      'not observed yet',
      deployment({ observedGeneration: 1 }),
      'progressing',
      'waiting for the controller to see the new version',
    ],
    [
      'deadline exceeded',
      deployment({
        observedGeneration: 2,
        conditions: [
          {
            type: 'Progressing',
            status: 'False',
            reason: 'ProgressDeadlineExceeded',
            message: 'RS "web-1" has timed out progressing.',
          },
        ],
      }),
      'failed',
      'no progress within its deadline: RS "web-1" has timed out progressing.',
    ],
    [
      'updating',
      deployment({ observedGeneration: 2, updatedReplicas: 1, replicas: 3 }),
      'progressing',
      '1 of 2 new replicas updated',
    ],
    [
      'old ones left',
      deployment({ observedGeneration: 2, updatedReplicas: 2, replicas: 3 }),
      'progressing',
      '1 old replicas are pending termination',
    ],
    [
      'not available yet',
      deployment({
        observedGeneration: 2,
        updatedReplicas: 2,
        replicas: 2,
        readyReplicas: 1,
        availableReplicas: 1,
      }),
      'progressing',
      '1 of 2 updated replicas are available',
    ],
    [
      'done',
      deployment({
        observedGeneration: 2,
        updatedReplicas: 2,
        replicas: 2,
        readyReplicas: 2,
        availableReplicas: 2,
      }),
      'done',
      '2 of 2 replicas updated and available',
    ],
    [
      'zero replicas',
      deployment({ observedGeneration: 2 }, { replicas: 0 }),
      'done',
      '0 of 0 replicas updated and available',
    ],
  ])('%s', (_name, d, state, message) => {
    expect(rolloutStatus(d)).toEqual({ state, message });
  });
});

describe('canaryDecision', () => {
  const ready = { observedGeneration: 2, readyReplicas: 1 };
  const canary = (annotations?: Record<string, string>, status = ready) =>
    deployment(status, { replicas: 1, ...(annotations ? { annotations } : {}) });
  it.each<[string, V1Deployment | undefined, 'auto' | 'manual', boolean, string | undefined]>([
    ['deleted', undefined, 'auto', false, 'abort'],
    ['abort written', canary({ 'ferry.dev/canary-decision': 'abort' }), 'auto', false, 'abort'],
    ['promote written', canary({ 'ferry.dev/canary-decision': ' Promote ' }), 'manual', false, 'promote'],
    [
      'pods no longer ready',
      canary(undefined, { observedGeneration: 2, readyReplicas: 0 }),
      'auto',
      false,
      'abort',
    ],
    ['pause running', canary(), 'auto', false, undefined],
    ['pause over, auto', canary(), 'auto', true, 'promote'],
    ['pause over, manual', canary(), 'manual', true, undefined],
  ])('%s → %s', (_name, d, mode, over, expected) => {
    expect(canaryDecision(d, mode, over)?.decision).toBe(expected);
  });

  it.each([
    [1, 2, 33],
    [2, 2, 50],
    [1, 9, 10],
    [0, 0, 0],
  ])('%i canary beside %i main → %i%%', (c, m, share) => {
    expect(trafficShare(c, m)).toBe(share);
  });
});
