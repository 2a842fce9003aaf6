import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  eventKey,
  eventLines,
  formatDuration,
  pendingTimeoutNotices,
  waitingNotices,
  warningNotice,
} from './pod-notices.js';

describe('formatDuration', () => {
  it.each([
    [250, '250ms'],
    [1000, '1s'],
    [1500, '1.5s'],
    [60_000, '1m0s'],
    [300_000, '5m0s'],
    [3_723_000, '1h2m3s'],
  ])('%i → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

const pod = (
  step?: { reason: string; message?: string },
  clone?: { reason: string; message?: string },
): V1Pod => ({
  metadata: { name: 'p' },
  status: {
    phase: 'Pending',
    ...(clone
      ? {
          initContainerStatuses: [
            {
              name: 'clone',
              image: 'r',
              imageID: '',
              ready: false,
              restartCount: 0,
              state: { waiting: clone },
            },
          ],
        }
      : {}),
    ...(step
      ? {
          containerStatuses: [
            {
              name: 'step',
              image: 's',
              imageID: '',
              ready: false,
              restartCount: 0,
              state: { waiting: step },
            },
          ],
        }
      : {}),
  },
});

describe('waitingNotices', () => {
  const pull = { reason: 'ErrImagePull', message: 'pull access denied for nope' };
  it.each<[string, V1Pod | undefined, V1Pod, string[]]>([
    ['routine waiting says nothing', undefined, pod({ reason: 'ContainerCreating' }), []],
    [
      'a new reason',
      pod({ reason: 'ContainerCreating' }),
      pod(pull),
      ['ferry: container step is waiting: ErrImagePull: pull access denied for nope'],
    ],
    ['the same reason again says nothing', pod(pull), pod(pull), []],
    [
      'the init container',
      undefined,
      pod(
        { reason: 'PodInitializing' },
        { reason: 'CreateContainerConfigError', message: 'secret "s" not found' },
      ),
      ['ferry: container clone is waiting: CreateContainerConfigError: secret "s" not found'],
    ],
    [
      'a reason without message',
      undefined,
      pod({ reason: 'ImagePullBackOff' }),
      ['ferry: container step is waiting: ImagePullBackOff'],
    ],
  ])('%s', (_name, before, after, lines) => {
    expect(waitingNotices(before, after)).toEqual(lines);
  });
});

const event = (type: string, reason: string, message: string, at: string, count = 1): CoreV1Event => ({
  metadata: { name: `e-${reason}` },
  involvedObject: { kind: 'Pod', name: 'p' },
  type,
  reason,
  message,
  count,
  lastTimestamp: new Date(at),
});
const failedScheduling = event(
  'Warning',
  'FailedScheduling',
  "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.",
  '2026-01-01T00:00:02Z',
  3,
);
const scheduled = event('Normal', 'Scheduled', 'Successfully assigned', '2026-01-01T00:00:01Z');

describe('warningNotice and eventKey', () => {
  it.each<[string, CoreV1Event, string | undefined]>([
    [
      'Warning',
      failedScheduling,
      "ferry: Warning FailedScheduling: 0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.",
    ],
    ['Normal is not news', scheduled, undefined],
  ])('%s', (_name, e, expected) => {
    expect(warningNotice(e)).toBe(expected);
  });

  it('repeats of an event share a key; other messages do not', () => {
    expect(eventKey({ ...failedScheduling, count: 9 })).toBe(eventKey(failedScheduling));
    expect(eventKey({ ...failedScheduling, message: 'other' })).not.toBe(eventKey(failedScheduling));
  });
});

describe('eventLines and pendingTimeoutNotices', () => {
  it('lists events oldest first with their counts', () => {
    expect(eventLines([failedScheduling, scheduled])).toEqual([
      'ferry:   Normal Scheduled: Successfully assigned',
      "ferry:   Warning FailedScheduling (3×): 0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.",
    ]);
  });

  it.each<[string, CoreV1Event[], string[]]>([
    [
      'with events',
      [failedScheduling],
      [
        'ferry: the runner pod did not start within 5m0s: Unschedulable: no node',
        'ferry: events of the runner pod:',
        "ferry:   Warning FailedScheduling (3×): 0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.",
      ],
    ],
    [
      'without events',
      [],
      [
        'ferry: the runner pod did not start within 5m0s: Unschedulable: no node',
        'ferry: Kubernetes recorded no events for the pod',
      ],
    ],
  ])('%s', (_name, events, lines) => {
    expect(pendingTimeoutNotices(300_000, 'Unschedulable: no node', events)).toEqual(lines);
  });
});
