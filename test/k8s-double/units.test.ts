/** The double's pure pieces, as table tests: they decide what the wire shows. */
import { describe, expect, it } from 'vitest';
import { defaultPullPolicy } from './api/kinds/pod-spec.js';
import { dns1123Label, labelValue, qualifiedName } from './api/names.js';
import { parseQuantity } from './api/quantity.js';
import { formatLabelSelector, parseFieldSelector, parseLabelSelector } from './api/selectors.js';
import { invalid } from './api/status.js';
import {
  newReplicaSetReplicas,
  podTemplateHash,
  scaleDownOld,
  surgeAndUnavailable,
  templatesEqual,
} from './controllers/rollout.js';
import { serverSideApply } from './patch/apply.js';
import { fieldSetOf, formatPath, fromFieldsV1, toFieldsV1 } from './patch/fields.js';
import { applyJsonPatch } from './patch/json-patch.js';
import { jsonMergePatch, strategicMergePatch } from './patch/merge.js';
import { buildContainerConfig } from './pods/container-config.js';
import { expand } from './pods/env.js';
import { credentialsFromSecrets, normalizedRef, parseImageRef } from './pods/images.js';
import { type ContainerRun, computePhase, type PodRunState } from './pods/status.js';
import { nanoTime, sinceTimeAtKubelet } from './routes/log.js';
import type { KubeObject } from './types.js';

describe('selectors', () => {
  it.each([
    ['app=web', { app: 'web' }, true],
    ['app==web,tier!=db', { app: 'web', tier: 'fe' }, true],
    ['app in (a, b)', { app: 'b' }, true],
    ['app notin (a,b)', { app: 'b' }, false],
    ['app', {}, false],
    ['!app', {}, true],
    ['', { x: 'y' }, true],
  ])('label selector %s on %j → %s', (sel, labels, want) => {
    expect(parseLabelSelector(sel)(labels)).toBe(want);
  });

  it('field selectors read dotted paths', () => {
    const ev = { involvedObject: { name: 'p', kind: 'Pod' }, type: 'Warning' };
    expect(parseFieldSelector('involvedObject.name=p,type!=Normal')(ev)).toBe(true);
    expect(parseFieldSelector('involvedObject.kind=Deployment')(ev)).toBe(false);
  });

  it('formats structured selectors for Scale.status.selector', () => {
    expect(
      formatLabelSelector({
        matchLabels: { app: 'w' },
        matchExpressions: [{ key: 't', operator: 'In', values: ['a', 'b'] }],
      }),
    ).toBe('app=w,t in (a,b)');
  });
});

describe('names and quantities', () => {
  it('validates like the apiserver', () => {
    expect(dns1123Label('f', 'ok-name')).toEqual([]);
    expect(dns1123Label('f', 'x'.repeat(64)).map((e) => e.detail)).toContain(
      'must be no more than 63 characters',
    );
    expect(labelValue('f', 'a'.repeat(63))).toEqual([]);
    expect(labelValue('f', '-bad')).toHaveLength(1);
    expect(qualifiedName('f', 'ferry.dev/commit')).toEqual([]);
    expect(qualifiedName('f', 'a/b/c')).toHaveLength(1);
    expect(invalid('Pod', 'p', '', [{ type: 'Required', field: 'spec.containers' }]).message).toBe(
      'Pod "p" is invalid: spec.containers: Required value',
    );
  });

  it.each([
    ['100m', 0.1],
    ['2', 2],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['128Mi', 128 * 2 ** 20],
    ['1G', 1e9],
    ['1e3', 1000],
    ['bogus', undefined],
  ])('quantity %s → %s', (q, want) => {
    expect(parseQuantity(q)).toBe(want);
  });
});

describe('patches', () => {
  it('JSON merge patch deletes with null and replaces lists', () => {
    expect(jsonMergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1, 2] }, { b: { c: null }, l: [3] })).toEqual({
      a: 1,
      b: { d: 3 },
      l: [3],
    });
  });

  it('strategic merge patch merges keyed lists and honours $patch directives', () => {
    const live = {
      containers: [
        { name: 'a', image: '1', env: [{ name: 'X', value: '1' }] },
        { name: 'b', image: '1' },
      ],
      args: ['x'],
    };
    const patched = strategicMergePatch(live, {
      containers: [
        { name: 'a', env: [{ name: 'Y', value: '2' }] },
        { name: 'b', $patch: 'delete' },
        { name: 'c', image: '3' },
      ],
      args: ['y'],
    });
    expect(patched).toEqual({
      containers: [
        {
          name: 'a',
          image: '1',
          env: [
            { name: 'X', value: '1' },
            { name: 'Y', value: '2' },
          ],
        },
        { name: 'c', image: '3' },
      ],
      args: ['y'],
    });
  });

  it('JSON patch applies operations in order and fails a test op', () => {
    const doc = { a: [1, 2], b: { 'x/y': 1 } };
    expect(
      applyJsonPatch(doc, [
        { op: 'add', path: '/a/-', value: 3 },
        { op: 'remove', path: '/b/x~1y' },
        { op: 'copy', from: '/a/0', path: '/c' },
      ]),
    ).toEqual({ a: [1, 2, 3], b: {}, c: 1 });
    expect(() => applyJsonPatch(doc, [{ op: 'test', path: '/a/0', value: 9 }])).toThrow(/test failed/);
  });
});

describe('server-side apply field sets', () => {
  const deploy = (image: string, extra: Record<string, unknown> = {}) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', labels: { app: 'd' } },
    spec: { template: { spec: { containers: [{ name: 'app', image, ...extra }] } } },
  });

  it('tracks keyed list items and round-trips FieldsV1', () => {
    const set = fieldSetOf(deploy('x:1'));
    const v1 = toFieldsV1(set);
    expect(v1).toEqual({
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': {
        'f:template': {
          'f:spec': { 'f:containers': { 'k:{"name":"app"}': { '.': {}, 'f:name': {}, 'f:image': {} } } },
        },
      },
    });
    expect(fromFieldsV1(v1)).toEqual(set);
    expect(
      formatPath(['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"app"}', 'f:image']),
    ).toBe('.spec.template.spec.containers[name="app"].image');
  });

  it('removes fields a manager stops applying, keeps others’, and reports conflicts', () => {
    const opts = (manager: string, force = false) => ({
      manager,
      force,
      now: '2024-01-01T00:00:00Z',
      apiVersion: 'apps/v1',
    });
    const created = serverSideApply(undefined, deploy('x:1', { args: ['a'] }), opts('ferry'));
    created.metadata = {
      ...created.metadata,
      name: 'd',
      uid: 'u',
      resourceVersion: '1',
      creationTimestamp: '',
    };
    const withOps = serverSideApply(
      created,
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', annotations: { o: '1' } } },
      opts('ops'),
    );
    const reapplied = serverSideApply(withOps, deploy('x:2'), opts('ferry'));
    expect(reapplied.spec.template.spec.containers).toEqual([{ name: 'app', image: 'x:2' }]);
    expect(reapplied.metadata.annotations).toEqual({ o: '1' });
    expect(() => serverSideApply(reapplied, deploy('x:3'), opts('ops'))).toThrow(
      /conflict with "ferry": \.spec\.template\.spec\.containers\[name="app"\]\.image/,
    );
    const forced = serverSideApply(reapplied, deploy('x:3'), opts('ops', true));
    expect(forced.spec.template.spec.containers[0].image).toBe('x:3');
  });
});

describe('images', () => {
  it.each([
    ['busybox', { repository: 'busybox' }, 'docker.io/library/busybox:latest'],
    ['ferry-test/node:20', { repository: 'ferry-test/node', tag: '20' }, 'docker.io/ferry-test/node:20'],
    [
      '127.0.0.1:5000/team/app:abc',
      { registry: '127.0.0.1:5000', repository: 'team/app', tag: 'abc' },
      '127.0.0.1:5000/team/app:abc',
    ],
    [
      'localhost/app@sha256:' + 'a'.repeat(64),
      { registry: 'localhost', repository: 'app', digest: `sha256:${'a'.repeat(64)}` },
      `localhost/app@sha256:${'a'.repeat(64)}`,
    ],
  ])('parses %s', (ref, parts, normal) => {
    const parsed = parseImageRef(ref);
    expect(parsed).toEqual(parts);
    expect(normalizedRef(parsed!)).toBe(normal);
  });

  it.each(['Upper/Case', 'a::b', 'with space', ''])('rejects %j', (ref) => {
    expect(parseImageRef(ref)).toBeUndefined();
  });

  it('defaults the pull policy from the tag and reads dockerconfigjson credentials', () => {
    expect(defaultPullPolicy('x')).toBe('Always');
    expect(defaultPullPolicy('x:latest')).toBe('Always');
    expect(defaultPullPolicy('x:1')).toBe('IfNotPresent');
    const cfg = Buffer.from(
      JSON.stringify({
        auths: { 'http://127.0.0.1:5000': { auth: Buffer.from('u:p:w').toString('base64') } },
      }),
    ).toString('base64');
    expect(credentialsFromSecrets([{ '.dockerconfigjson': cfg }], '127.0.0.1:5000')).toEqual({
      username: 'u',
      password: 'p:w',
      serveraddress: '127.0.0.1:5000',
    });
    expect(credentialsFromSecrets([{ '.dockerconfigjson': cfg }], 'localhost:5000')).toBeUndefined();
  });
});

describe('rollout arithmetic', () => {
  it('resolves surge and unavailability like the controller', () => {
    expect(surgeAndUnavailable(2, undefined)).toEqual({ surge: 1, unavailable: 0 });
    expect(surgeAndUnavailable(10, { maxSurge: 0, maxUnavailable: 0 })).toEqual({ surge: 0, unavailable: 1 });
    expect(newReplicaSetReplicas(2, 1, 2, 0)).toBe(1);
    expect(newReplicaSetReplicas(2, 1, 3, 1)).toBe(1);
    expect(newReplicaSetReplicas(2, 1, 2, 1)).toBe(2);
  });

  it('scales old replica sets down only while availability holds', () => {
    const newRs = { name: 'new', replicas: 1, available: 0, created: 2 };
    expect(
      scaleDownOld(2, 0, newRs, [{ name: 'old', replicas: 2, available: 2, created: 1 }]).get('old'),
    ).toBe(2);
    expect(
      scaleDownOld(2, 0, { ...newRs, available: 1 }, [
        { name: 'old', replicas: 2, available: 2, created: 1 },
      ]).get('old'),
    ).toBe(1);
    expect(
      scaleDownOld(2, 0, { ...newRs, replicas: 2, available: 2 }, [
        { name: 'old', replicas: 1, available: 0, created: 1 },
      ]).get('old'),
    ).toBe(0);
  });

  it('hashes templates stably, ignoring the pod-template-hash label when comparing', () => {
    const t = { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };
    expect(podTemplateHash(t)).toBe(podTemplateHash(structuredClone(t)));
    expect(podTemplateHash(t)).not.toBe(podTemplateHash(t, 1));
    expect(templatesEqual(t, { ...t, metadata: { labels: { app: 'a', 'pod-template-hash': 'x' } } })).toBe(
      true,
    );
  });
});

describe('pods', () => {
  const run = (state: ContainerRun['state'], lastState: ContainerRun['lastState'] = {}): ContainerRun => ({
    name: 'c',
    image: 'i',
    imageID: '',
    state,
    lastState,
    restartCount: 0,
    ready: false,
    started: false,
  });
  const pod = (...main: ContainerRun[]): PodRunState => ({
    init: [],
    main,
    initDone: true,
    sandboxReady: true,
  });
  const done = (exitCode: number) => ({
    terminated: { exitCode, reason: '', startedAt: '', finishedAt: '', containerID: '' },
  });

  it.each([
    ['waiting', pod(run({ waiting: { reason: 'ContainerCreating' } })), 'Never', 'Pending'],
    ['running', pod(run({ running: { startedAt: '' } })), 'Never', 'Running'],
    ['all succeeded', pod(run(done(0)), run(done(0))), 'Never', 'Succeeded'],
    ['one failed, Never', pod(run(done(0)), run(done(1))), 'Never', 'Failed'],
    ['one failed, OnFailure', pod(run(done(0)), run(done(1))), 'OnFailure', 'Running'],
    ['stopped, Always', pod(run(done(0))), 'Always', 'Running'],
    [
      'back-off after a crash',
      pod(run({ waiting: { reason: 'CrashLoopBackOff' } }, done(1))),
      'Always',
      'Running',
    ],
    [
      'init pending',
      { ...pod(run({ waiting: { reason: 'PodInitializing' } })), initDone: false },
      'Always',
      'Pending',
    ],
    ['deadline', { ...pod(run(done(137))), failed: { reason: 'DeadlineExceeded' } }, 'Always', 'Failed'],
  ] as const)('phase when %s', (_what, state, policy, want) => {
    expect(computePhase(state as PodRunState, policy)).toBe(want);
  });

  it('reads RFC 3339 in UTC at nanosecond precision, and sinceTime as the kubelet gets it: whole seconds', () => {
    expect(nanoTime('2024-01-01T10:00:00Z')).toBe('2024-01-01T10:00:00.000000000Z');
    expect(nanoTime('2024-01-01T12:00:00.123456789+02:00')).toBe('2024-01-01T10:00:00.123456789Z');
    expect(() => nanoTime('yesterday')).toThrow(/must be RFC3339/);
    expect(sinceTimeAtKubelet('2024-01-01T12:00:00.999999999+02:00')).toBe('2024-01-01T10:00:00.000000000Z');
    expect(sinceTimeAtKubelet('2024-01-01T10:00:01Z')).toBe('2024-01-01T10:00:01.000000000Z');
    expect(() => sinceTimeAtKubelet('yesterday')).toThrow(/must be RFC3339/);
  });

  it('expands $(VAR) references like the kubelet', () => {
    const vars: Record<string, string> = { A: 'a', B: 'b' };
    expect(expand('$(A)-$(B)-$(C)-$$(A)-$$', (n) => vars[n])).toBe('a-b-$(C)-$(A)-$');
  });

  it('builds Docker options: host network, command/args, user, limits, forced PORT', () => {
    const p = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'n', uid: 'u', resourceVersion: '1', creationTimestamp: '' },
      spec: {
        securityContext: { runAsUser: 1000, fsGroup: 2000 },
        terminationGracePeriodSeconds: 5,
        containers: [],
      },
    } as KubeObject;
    const opts = buildContainerConfig({
      dockerName: 'x',
      pod: p,
      container: {
        name: 'c',
        image: 'i',
        command: ['sh', '-c'],
        args: ['echo $(GREETING)'],
        workingDir: '/w',
        resources: { limits: { memory: '64Mi', cpu: '500m' } },
      },
      env: [
        ['GREETING', 'hi'],
        ['PORT', '1'],
      ],
      defaultEnv: { HOSTNAME: 'p' },
      forcedEnv: { PORT: '31000' },
      binds: ['/host:/mnt'],
      labels: { l: '1' },
      seccomp: [],
      networkMode: 'container:sandbox',
    });
    expect(opts).toMatchObject({
      Entrypoint: ['sh', '-c'],
      Cmd: ['echo hi'],
      WorkingDir: '/w',
      User: '1000',
      StopTimeout: 5,
      HostConfig: {
        NetworkMode: 'container:sandbox',
        Binds: ['/host:/mnt'],
        Memory: 64 * 2 ** 20,
        NanoCpus: 5e8,
        GroupAdd: ['2000'],
      },
    });
    expect(opts.Env).toEqual(['HOSTNAME=p', 'GREETING=hi', 'PORT=31000']);
  });
});
