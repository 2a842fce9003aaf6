/** Failures by their real conditions: images, config, scheduling, deadlines. */
import type { CoreV1Event, V1Pod, V1PodSpec } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import {
  busybox,
  containersOf,
  deleteNamespace,
  describeWithDocker,
  type Harness,
  requireDocker,
  startHarness,
  uniqueName,
  waitFor,
} from './test-helpers.js';

let h: Harness;
let ns: string;

const create = (name: string, spec: V1PodSpec) =>
  h.core.createNamespacedPod({ namespace: ns, body: { metadata: { name }, spec } });
const read = (name: string) => h.core.readNamespacedPod({ namespace: ns, name });
const waitingReason = (p: V1Pod) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason;

function untilPod(name: string, what: string, ok: (p: V1Pod) => boolean): Promise<V1Pod> {
  return waitFor(`${name}: ${what}`, async () => {
    const p = await read(name);
    return ok(p) ? p : undefined;
  });
}

async function eventsFor(name: string): Promise<CoreV1Event[]> {
  return (await h.core.listNamespacedEvent({ namespace: ns, fieldSelector: `involvedObject.name=${name}` }))
    .items;
}

describeWithDocker('failures', () => {
  beforeAll(async () => {
    requireDocker();
    h = await startHarness({ allocatable: { cpu: '4', memory: '8Gi' }, timing: { imagePullBackoffMs: 300 } });
  });
  afterAll(async () => {
    await h?.double.close();
  });
  beforeEach(async () => {
    ns = uniqueName('fail');
    await h.core.createNamespace({ body: { metadata: { name: ns } } });
  });
  afterEach(async () => {
    h.double.inject.setNodeLabels({});
    h.double.inject.setTaints([]);
    await deleteNamespace(h, ns);
    expect(await containersOf(h.double)).toEqual([]);
  });

  it('an image missing locally: ErrImagePull, then ImagePullBackOff, with Failed events', async () => {
    await create('missing', { containers: [{ name: 'main', image: 'ferry-test/does-not-exist:1' }] });
    const pulled = await untilPod('missing', 'ErrImagePull', (p) => waitingReason(p) === 'ErrImagePull');
    expect(pulled.status?.phase).toBe('Pending');
    expect(pulled.status?.containerStatuses?.[0]?.state?.waiting?.message).toContain(
      'docker.io/ferry-test/does-not-exist:1',
    );
    await untilPod('missing', 'ImagePullBackOff', (p) => waitingReason(p) === 'ImagePullBackOff');
    const events = await eventsFor('missing');
    const failed = events.filter((e) => e.reason === 'Failed' && e.type === 'Warning').map((e) => e.message);
    expect(failed).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Failed to pull image "ferry-test\/does-not-exist:1": /),
        'Error: ErrImagePull',
        'Error: ImagePullBackOff',
      ]),
    );
    expect(events.find((e) => e.reason === 'Failed')?.involvedObject.fieldPath).toBe('spec.containers{main}');
  });

  it('a loopback registry is really pulled from, and its failure is ErrImagePull', async () => {
    await create('registry', { containers: [{ name: 'main', image: '127.0.0.1:1/ferry/app:abc' }] });
    const p = await untilPod('registry', 'ErrImagePull', (x) => waitingReason(x) === 'ErrImagePull');
    expect(p.status?.containerStatuses?.[0]?.state?.waiting?.message).toMatch(
      /127\.0\.0\.1:1.*(refused|connect)/,
    );
  });

  it('an invalid image reference: InvalidImageName', async () => {
    await create('invalid', { containers: [{ name: 'main', image: 'Not A/Valid::Image' }] });
    const p = await untilPod('invalid', 'InvalidImageName', (x) => waitingReason(x) === 'InvalidImageName');
    expect(p.status?.containerStatuses?.[0]?.state?.waiting?.message).toContain('invalid reference format');
  });

  it('a missing secret: CreateContainerConfigError until the secret exists', async () => {
    await create('needs-secret', {
      restartPolicy: 'Never',
      containers: [
        {
          name: 'main',
          image: busybox,
          command: ['sh', '-c', 'echo $TOKEN'],
          env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'late', key: 'token' } } }],
        },
      ],
    });
    const p = await untilPod(
      'needs-secret',
      'CreateContainerConfigError',
      (x) => waitingReason(x) === 'CreateContainerConfigError',
    );
    expect(p.status?.containerStatuses?.[0]?.state?.waiting?.message).toBe('secret "late" not found');
    await h.core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: 'late' }, stringData: { token: 'now' } },
    });
    await untilPod('needs-secret', 'Succeeded', (x) => x.status?.phase === 'Succeeded');
    expect(await h.core.readNamespacedPodLog({ namespace: ns, name: 'needs-secret' })).toBe('now\n');
  });

  it('a nodeSelector the node does not match: Pending, Unschedulable, FailedScheduling; schedules once it matches', async () => {
    await create('picky', {
      restartPolicy: 'Never',
      nodeSelector: { disktype: 'ssd' },
      containers: [{ name: 'main', image: busybox, command: ['true'] }],
    });
    const pending = await untilPod(
      'picky',
      'Unschedulable',
      (p) =>
        p.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.reason === 'Unschedulable') === true,
    );
    expect(pending.status?.phase).toBe('Pending');
    const message =
      "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.";
    expect(pending.status?.conditions?.find((c) => c.type === 'PodScheduled')).toMatchObject({
      status: 'False',
      reason: 'Unschedulable',
      message,
    });
    const event = (await eventsFor('picky')).find((e) => e.reason === 'FailedScheduling');
    expect(event).toMatchObject({ type: 'Warning', message, source: { component: 'default-scheduler' } });
    h.double.inject.setNodeLabels({ disktype: 'ssd' });
    await untilPod('picky', 'Succeeded', (p) => p.status?.phase === 'Succeeded');
  });

  it('requests above allocatable, or an untolerated taint: Unschedulable with the reason', async () => {
    await create('greedy', {
      containers: [{ name: 'main', image: busybox, resources: { requests: { cpu: '6', memory: '1Gi' } } }],
    });
    const greedy = await untilPod(
      'greedy',
      'Unschedulable',
      (p) => p.status?.conditions?.some((c) => c.reason === 'Unschedulable') === true,
    );
    expect(greedy.status?.conditions?.find((c) => c.type === 'PodScheduled')?.message).toContain(
      '1 Insufficient cpu',
    );

    h.double.inject.setTaints([{ key: 'dedicated', value: 'ci', effect: 'NoSchedule' }]);
    await create('tainted', {
      restartPolicy: 'Never',
      containers: [{ name: 'main', image: busybox, command: ['true'] }],
    });
    const tainted = await untilPod(
      'tainted',
      'Unschedulable',
      (p) => p.status?.conditions?.some((c) => c.reason === 'Unschedulable') === true,
    );
    expect(tainted.status?.conditions?.find((c) => c.type === 'PodScheduled')?.message).toContain(
      '1 node(s) had untolerated taint {dedicated: ci}',
    );
    await create('tolerant', {
      restartPolicy: 'Never',
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'ci', effect: 'NoSchedule' }],
      containers: [{ name: 'main', image: busybox, command: ['true'] }],
    });
    await untilPod('tolerant', 'Succeeded', (p) => p.status?.phase === 'Succeeded');
  });

  it('activeDeadlineSeconds kills the pod: Failed, DeadlineExceeded', async () => {
    const started = Date.now();
    await create('slow', {
      activeDeadlineSeconds: 1,
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'main', image: busybox, command: ['sleep', '3600'] }],
    });
    const failed = await untilPod(
      'slow',
      'Failed',
      (p) => p.status?.phase === 'Failed' && p.status.containerStatuses?.[0]?.state?.terminated !== undefined,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(failed.status).toMatchObject({
      reason: 'DeadlineExceeded',
      message: 'Pod was active on the node longer than the specified deadline',
    });
    expect(failed.status?.containerStatuses?.[0]?.state?.terminated?.exitCode).toBe(137);
    expect((await eventsFor('slow')).some((e) => e.reason === 'DeadlineExceeded')).toBe(true);
  });

  it('a missing PVC keeps the pod Pending; a claim keeps data across pods', async () => {
    const spec = (command: string): V1PodSpec => ({
      restartPolicy: 'Never',
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
      containers: [
        {
          name: 'main',
          image: busybox,
          command: ['sh', '-c', command],
          volumeMounts: [{ name: 'data', mountPath: '/data' }],
        },
      ],
    });
    await create('writer', spec('echo kept > /data/file'));
    const pending = await untilPod(
      'writer',
      'Unschedulable',
      (p) => p.status?.conditions?.some((c) => c.reason === 'Unschedulable') === true,
    );
    expect(pending.status?.conditions?.find((c) => c.type === 'PodScheduled')?.message).toContain(
      'persistentvolumeclaim "data" not found',
    );
    const pvc = await h.core.createNamespacedPersistentVolumeClaim({
      namespace: ns,
      body: {
        metadata: { name: 'data' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      },
    });
    expect(pvc.status?.phase).toBe('Bound');
    await untilPod('writer', 'Succeeded', (p) => p.status?.phase === 'Succeeded');
    await create('reader', spec('cat /data/file'));
    await untilPod('reader', 'Succeeded', (p) => p.status?.phase === 'Succeeded');
    expect(await h.core.readNamespacedPodLog({ namespace: ns, name: 'reader' })).toBe('kept\n');
  });
});
