import type { V1ContainerState, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { StageResult } from '../executor.js';
import {
  containerStarted,
  containerTerminated,
  pendingReason,
  podOutcome,
  waitingToRun,
} from './pod-outcome.js';

const status = (name: string, state: V1ContainerState): V1ContainerStatus => ({
  name,
  state,
  image: 'x',
  imageID: '',
  ready: false,
  restartCount: 0,
});
const waiting = (reason: string, message?: string): V1ContainerState => ({
  waiting: message === undefined ? { reason } : { reason, message },
});
const running: V1ContainerState = { running: { startedAt: new Date() } };
const exited = (exitCode: number, reason = exitCode === 0 ? 'Completed' : 'Error'): V1ContainerState => ({
  terminated: { exitCode, reason },
});

function pod(
  phase: string,
  clone: V1ContainerState | undefined,
  step: V1ContainerState | undefined,
  extra: { reason?: string; message?: string; deleting?: boolean; unschedulable?: string } = {},
): V1Pod {
  return {
    metadata: {
      name: 'p',
      ...(extra.deleting ? { deletionTimestamp: new Date('2026-01-01T00:00:00Z') } : {}),
    },
    status: {
      phase,
      ...(extra.reason === undefined ? {} : { reason: extra.reason }),
      ...(extra.message === undefined ? {} : { message: extra.message }),
      ...(extra.unschedulable === undefined
        ? {}
        : {
            conditions: [
              {
                type: 'PodScheduled',
                status: 'False',
                reason: 'Unschedulable',
                message: extra.unschedulable,
              },
            ],
          }),
      ...(clone === undefined ? {} : { initContainerStatuses: [status('clone', clone)] }),
      ...(step === undefined ? {} : { containerStatuses: [status('step', step)] }),
    },
  };
}

const ctx = { canceled: false, timeoutSeconds: 2 };
const canceled = { canceled: true, timeoutSeconds: 2 };
const unschedulable = "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.";

/** A passing step beside a cache-save container in `saveState`, the pod in `phase`. */
function savingPod(phase: string, saveState: V1ContainerState): V1Pod {
  const p = pod(phase, exited(0), exited(0));
  return {
    ...p,
    spec: { containers: [{ name: 'step' }, { name: 'cache-save' }] },
    status: {
      ...p.status,
      containerStatuses: [status('step', exited(0)), status('cache-save', saveState)],
    },
  };
}

describe('podOutcome with a cache being saved beside the step', () => {
  const ctx = { canceled: false, timeoutSeconds: 60 };
  it('waits while cache-save is still being created (the pod is Pending then) or runs', () => {
    expect(podOutcome(savingPod('Pending', waiting('ContainerCreating')), ctx)).toBeUndefined();
    expect(podOutcome(savingPod('Running', running), ctx)).toBeUndefined();
  });
  it('ends with the step once cache-save has ended, or when it can never start', () => {
    expect(podOutcome(savingPod('Succeeded', exited(0)), ctx)).toEqual({ status: 'success', exitCode: 0 });
    expect(podOutcome(savingPod('Pending', waiting('ErrImagePull')), ctx)).toEqual({
      status: 'success',
      exitCode: 0,
    });
  });
});

describe('podOutcome', () => {
  it.each<[string, V1Pod | undefined, typeof ctx, StageResult | undefined]>([
    ['unscheduled', pod('Pending', undefined, undefined, { unschedulable }), ctx, undefined],
    ['cloning', pod('Pending', running, waiting('PodInitializing')), ctx, undefined],
    ['running', pod('Running', exited(0), running), ctx, undefined],
    ['step exit 0', pod('Running', exited(0), exited(0)), ctx, { status: 'success', exitCode: 0 }],
    ['phase Succeeded', pod('Succeeded', exited(0), exited(0)), ctx, { status: 'success', exitCode: 0 }],
    [
      'step exit 42',
      pod('Failed', exited(0), exited(42)),
      ctx,
      { status: 'failed', exitCode: 42, reason: 'exit code 42' },
    ],
    [
      'OOMKilled',
      pod('Failed', undefined, exited(137, 'OOMKilled')),
      ctx,
      { status: 'failed', exitCode: 137, reason: 'OOMKilled (exit code 137)' },
    ],
    [
      'step image missing: ErrImagePull at once',
      pod('Pending', exited(0), waiting('ErrImagePull', 'failed to pull "nope:1": not found')),
      ctx,
      { status: 'failed', reason: 'ErrImagePull: failed to pull "nope:1": not found' },
    ],
    [
      'ImagePullBackOff',
      pod('Pending', exited(0), waiting('ImagePullBackOff', 'Back-off pulling image "nope:1"')),
      ctx,
      { status: 'failed', reason: 'ImagePullBackOff: Back-off pulling image "nope:1"' },
    ],
    [
      'InvalidImageName',
      pod('Pending', undefined, waiting('InvalidImageName', 'Failed to apply default image tag "UPPER"')),
      ctx,
      { status: 'failed', reason: 'InvalidImageName: Failed to apply default image tag "UPPER"' },
    ],
    [
      'CreateContainerConfigError',
      pod('Pending', undefined, waiting('CreateContainerConfigError', 'secret "s" not found')),
      ctx,
      { status: 'failed', reason: 'CreateContainerConfigError: secret "s" not found' },
    ],
    [
      'runner image missing',
      pod('Pending', waiting('ErrImagePull', 'not found'), waiting('PodInitializing')),
      ctx,
      { status: 'failed', reason: 'runner image: ErrImagePull: not found' },
    ],
    [
      'ContainerCreating is not news',
      pod('Pending', exited(0), waiting('ContainerCreating')),
      ctx,
      undefined,
    ],
    [
      'clone refused the token (exit 3)',
      pod('Failed', exited(3), waiting('PodInitializing')),
      ctx,
      {
        status: 'failed',
        exitCode: 3,
        reason:
          'clone failed: the git server refused the clone token (check the project token Ferry clones with)',
      },
    ],
    [
      'deadline',
      pod('Failed', exited(0), exited(137), {
        reason: 'DeadlineExceeded',
        message: 'Pod was active too long',
      }),
      ctx,
      { status: 'failed', reason: 'timed out after 2s (DeadlineExceeded)' },
    ],
    [
      'evicted',
      pod('Failed', exited(0), undefined, {
        reason: 'Evicted',
        message: 'The node was low on resource: memory.',
      }),
      ctx,
      { status: 'failed', reason: 'Evicted: The node was low on resource: memory.' },
    ],
    [
      'deleted outside Ferry',
      undefined,
      ctx,
      { status: 'failed', reason: 'the runner pod was deleted outside Ferry' },
    ],
    [
      'being deleted outside Ferry, step killed',
      pod('Running', exited(0), exited(137), { deleting: true }),
      ctx,
      { status: 'failed', reason: 'the runner pod was deleted outside Ferry (exit code 137)' },
    ],
    ['canceled, still stopping', pod('Running', exited(0), running, { deleting: true }), canceled, undefined],
    [
      'canceled, step killed',
      pod('Running', exited(0), exited(137), { deleting: true }),
      canceled,
      { status: 'canceled', reason: 'canceled' },
    ],
    [
      'canceled while cloning',
      pod('Pending', exited(143), waiting('PodInitializing'), { deleting: true }),
      canceled,
      { status: 'canceled', reason: 'canceled' },
    ],
    [
      'canceled while unscheduled (nothing ran)',
      pod('Pending', undefined, undefined, { deleting: true }),
      canceled,
      { status: 'canceled', reason: 'canceled' },
    ],
    ['canceled and gone', undefined, canceled, { status: 'canceled', reason: 'canceled' }],
    [
      'canceled after success',
      pod('Succeeded', exited(0), exited(0)),
      canceled,
      { status: 'success', exitCode: 0 },
    ],
  ])('%s', (_name, p, c, expected) => {
    expect(podOutcome(p, c)).toEqual(expected);
  });
});

describe('waitingToRun', () => {
  it.each<[string, V1Pod | undefined, boolean]>([
    ['unscheduled', pod('Pending', undefined, undefined, { unschedulable }), true],
    [
      'pulling the runner image',
      pod('Pending', waiting('ContainerCreating'), waiting('PodInitializing')),
      true,
    ],
    ['cloning', pod('Pending', running, waiting('PodInitializing')), false],
    ['between clone and step', pod('Pending', exited(0), waiting('ContainerCreating')), true],
    ['running', pod('Running', exited(0), running), false],
    ['ended', pod('Failed', exited(0), exited(1)), false],
    ['gone', undefined, false],
  ])('%s → %s', (_name, p, expected) => {
    expect(waitingToRun(p, ctx)).toBe(expected);
  });
});

describe('pendingReason', () => {
  it.each<[string, V1Pod | undefined, string]>([
    [
      'the scheduler',
      pod('Pending', undefined, undefined, { unschedulable }),
      `Unschedulable: ${unschedulable}`,
    ],
    [
      'a container',
      pod('Pending', exited(0), waiting('ContainerCreating', 'pulling a big image')),
      'step: ContainerCreating: pulling a big image',
    ],
    ['nothing known', pod('Pending', undefined, undefined), 'Pending'],
    ['no pod', undefined, 'Pending'],
  ])('%s', (_name, p, expected) => {
    expect(pendingReason(p)).toBe(expected);
  });
});

describe('containerStarted / containerTerminated', () => {
  const p = pod('Running', exited(0), running);
  it.each([
    ['clone', true, true],
    ['step', true, false],
    ['other', false, false],
  ])('%s: started %s, terminated %s', (name, started, terminated) => {
    expect(containerStarted(p, name)).toBe(started);
    expect(containerTerminated(p, name)).toBe(terminated);
  });
});
