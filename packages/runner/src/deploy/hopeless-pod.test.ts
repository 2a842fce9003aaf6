import type { V1ContainerState, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { FAST_FAILURE, judgePod } from './hopeless-pod.js';

const NOW = 1_000_000;

function status(
  state: V1ContainerState,
  opts: { name?: string; restarts?: number; last?: V1ContainerState } = {},
): V1ContainerStatus {
  return {
    name: opts.name ?? 'web',
    image: 'img',
    imageID: '',
    ready: false,
    restartCount: opts.restarts ?? 0,
    state,
    ...(opts.last ? { lastState: opts.last } : {}),
  };
}

const waiting = (reason: string, message?: string): V1ContainerState => ({
  waiting: { reason, ...(message ? { message } : {}) },
});
const oom: V1ContainerState = { terminated: { exitCode: 137, reason: 'OOMKilled' } };
const crashed: V1ContainerState = { terminated: { exitCode: 3, reason: 'Error' } };

function pod(main: V1ContainerStatus[], init: V1ContainerStatus[] = [], deleting = false): V1Pod {
  return {
    metadata: { name: 'web-abc-x1', ...(deleting ? { deletionTimestamp: new Date(NOW) } : {}) },
    status: { phase: 'Pending', containerStatuses: main, initContainerStatuses: init },
  };
}

describe('judgePod', () => {
  it.each<[string, V1Pod, Record<string, number>, string | undefined]>([
    ['creating', pod([status(waiting('ContainerCreating'))]), {}, undefined],
    ['running', pod([status({ running: {} })]), {}, undefined],
    [
      'invalid image name',
      pod([status(waiting('InvalidImageName', 'couldn\'t parse image name "Bad:Name"'))]),
      {},
      'container web InvalidImageName: couldn\'t parse image name "Bad:Name"',
    ],
    [
      'missing secret',
      pod([status(waiting('CreateContainerConfigError', 'secret "db" not found'))]),
      {},
      'container web CreateContainerConfigError: secret "db" not found',
    ],
    ['never pull', pod([status(waiting('ErrImageNeverPull'))]), {}, 'container web ErrImageNeverPull'],
    [
      'container create error',
      pod([status(waiting('CreateContainerError', 'no command specified'))]),
      {},
      'container web CreateContainerError: no command specified',
    ],
    [
      'image pull back-off',
      pod([status(waiting('ImagePullBackOff', 'Back-off pulling image "r/x"'))]),
      {},
      'container web ImagePullBackOff: Back-off pulling image "r/x"',
    ],
    ['first ErrImagePull', pod([status(waiting('ErrImagePull', 'not found'))]), {}, undefined],
    [
      'ErrImagePull within the grace',
      pod([status(waiting('ErrImagePull', 'not found'))]),
      { 'container/web': NOW - FAST_FAILURE.pullGraceMs + 1 },
      undefined,
    ],
    [
      'ErrImagePull past the grace',
      pod([status(waiting('ErrImagePull', 'not found'))]),
      { 'container/web': NOW - FAST_FAILURE.pullGraceMs },
      'container web ErrImagePull for 30s: not found',
    ],
    [
      'crash loop below the threshold',
      pod([status(waiting('CrashLoopBackOff'), { restarts: 2, last: crashed })]),
      {},
      undefined,
    ],
    [
      'crash loop at the threshold',
      pod([status(waiting('CrashLoopBackOff'), { restarts: 3, last: crashed })]),
      {},
      'container web CrashLoopBackOff after 3 restarts (last exit code 3, Error)',
    ],
    [
      'restarted often but running again',
      pod([status({ running: {} }, { restarts: 5, last: crashed })]),
      {},
      undefined,
    ],
    ['OOMKilled once', pod([status(waiting('CrashLoopBackOff'), { restarts: 1, last: oom })]), {}, undefined],
    [
      'OOMKilled repeatedly',
      pod([status(waiting('CrashLoopBackOff'), { restarts: 2, last: oom })]),
      {},
      'container web OOMKilled again after 2 restart(s): it needs more than its memory limit',
    ],
    [
      'OOMKilled just now',
      pod([status(oom, { restarts: 2, last: oom })]),
      {},
      'container web OOMKilled again after 2 restart(s): it needs more than its memory limit',
    ],
    [
      'OOMKilled before, running now',
      pod([status({ running: {} }, { restarts: 2, last: oom })]),
      {},
      undefined,
    ],
    [
      'init container that cannot pull',
      pod([status(waiting('PodInitializing'))], [status(waiting('ImagePullBackOff'), { name: 'migrate' })]),
      {},
      'init container migrate ImagePullBackOff',
    ],
    [
      'init container crash loop',
      pod(
        [status(waiting('PodInitializing'))],
        [status(waiting('CrashLoopBackOff'), { name: 'migrate', restarts: 3 })],
      ),
      {},
      'init container migrate CrashLoopBackOff after 3 restarts',
    ],
    ['a pod being deleted', pod([status(waiting('InvalidImageName'))], [], true), {}, undefined],
  ])('%s', (_name, p, since, expected) => {
    expect(judgePod(p, new Map(Object.entries(since)), NOW).hopeless).toBe(expected);
  });

  it('remembers since when a pull fails, across ErrImagePull and ImagePullBackOff, and forgets a pull that works', () => {
    const first = judgePod(pod([status(waiting('ErrImagePull'))]), new Map(), NOW);
    expect([...first.pullFailingSince]).toEqual([['container/web', NOW]]);
    const later = judgePod(pod([status(waiting('ErrImagePull'))]), first.pullFailingSince, NOW + 5_000);
    expect(later.pullFailingSince.get('container/web')).toBe(NOW);
    const pulled = judgePod(pod([status(waiting('ContainerCreating'))]), later.pullFailingSince, NOW + 6_000);
    expect(pulled.pullFailingSince.size).toBe(0);
  });

  it('takes thresholds', () => {
    const p = pod([status(waiting('CrashLoopBackOff'), { restarts: 1 })]);
    expect(judgePod(p, new Map(), NOW, { ...FAST_FAILURE, crashLoopRestarts: 1 }).hopeless).toBe(
      'container web CrashLoopBackOff after 1 restarts',
    );
  });
});
