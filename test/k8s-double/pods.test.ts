/** Pods as real containers: init containers and emptyDir, env, exit codes, logs, probes, deletion. */
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import {
  Log,
  RbacAuthorizationV1Api,
  type V1Pod,
  type V1PodSpec,
  type V1SecurityContext,
} from '@kubernetes/client-node';
import { expect, it } from 'vitest';
import {
  apiError,
  busybox,
  containersOf,
  describeWithDocker,
  type Harness,
  nodeImage,
  podSuiteLifecycle,
  waitFor,
  watchUntil,
} from './test-helpers.js';

let h: Harness;
let ns: string;

const phaseIs =
  (...phases: string[]) =>
  async () => {
    const pod = await h.core.readNamespacedPod({ namespace: ns, name: currentPod });
    return phases.includes(pod.status?.phase ?? '') ? pod : undefined;
  };
let currentPod = '';

async function runPod(name: string, spec: V1PodSpec, ...until: string[]): Promise<V1Pod> {
  currentPod = name;
  await h.core.createNamespacedPod({ namespace: ns, body: { metadata: { name }, spec } });
  return waitFor(`pod ${name} ${until.join('/')}`, phaseIs(...until));
}

async function logs(
  pod: string,
  container: string,
  options: { follow?: boolean; timestamps?: boolean; sinceTime?: string; tailLines?: number } = {},
): Promise<string> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => {
    text += c.toString();
  });
  const ended = new Promise<void>((resolve) => out.on('end', resolve));
  await new Log(h.kc).log(ns, pod, container, out, options);
  await ended;
  return text;
}

describeWithDocker('pods on the Docker engine', () => {
  podSuiteLifecycle('pods', {
    harness: (x) => {
      h = x;
    },
    namespace: (x) => {
      ns = x;
    },
  });

  it('runs init containers first; they share emptyDir with the main container', async () => {
    const pod = await runPod(
      'init-share',
      {
        restartPolicy: 'Never',
        volumes: [{ name: 'work', emptyDir: {} }],
        initContainers: [
          {
            name: 'first',
            image: busybox,
            command: ['sh', '-c', 'echo from-init > /work/hello'],
            volumeMounts: [{ name: 'work', mountPath: '/work' }],
          },
          {
            name: 'second',
            image: busybox,
            command: ['sh', '-c', 'echo second >> /work/hello'],
            volumeMounts: [{ name: 'work', mountPath: '/work' }],
          },
        ],
        containers: [
          {
            name: 'main',
            image: busybox,
            command: ['cat', '/work/hello'],
            volumeMounts: [{ name: 'work', mountPath: '/work' }],
          },
        ],
      },
      'Succeeded',
      'Failed',
    );
    expect(pod.status?.phase).toBe('Succeeded');
    expect(
      pod.status?.initContainerStatuses?.map((s) => [
        s.name,
        s.state?.terminated?.reason,
        s.state?.terminated?.exitCode,
      ]),
    ).toEqual([
      ['first', 'Completed', 0],
      ['second', 'Completed', 0],
    ]);
    expect(pod.status?.conditions?.find((c) => c.type === 'Initialized')?.status).toBe('True');
    expect(await logs('init-share', 'main')).toBe('from-init\nsecond\n');
    expect(await logs('init-share', 'first')).toBe('');
  });

  it('fails the pod when an init container fails with restartPolicy Never, main containers never start', async () => {
    const pod = await runPod(
      'init-fail',
      {
        restartPolicy: 'Never',
        initContainers: [{ name: 'broken', image: busybox, command: ['sh', '-c', 'echo boom; exit 7'] }],
        containers: [{ name: 'main', image: busybox, command: ['true'] }],
      },
      'Failed',
    );
    expect(pod.status?.initContainerStatuses?.[0]?.state?.terminated).toMatchObject({
      exitCode: 7,
      reason: 'Error',
    });
    expect(pod.status?.containerStatuses?.[0]?.state?.waiting?.reason).toBe('PodInitializing');
    // The pod's own containers (its sandbox, container POD, holds its network namespace).
    expect(
      (await containersOf(h.double, ns)).map((c) => c.Labels['ferry.k8s-double.container']).sort(),
    ).toEqual(['POD', 'broken']);
  });

  it('builds env and envFrom from secrets, config maps, fields and $(VAR), and sets PORT', async () => {
    await h.core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: 'creds' }, stringData: { TOKEN: 's3cret', USER: 'ferry' } },
    });
    await h.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'settings' }, data: { MODE: 'test', LEVEL: 'debug' } },
    });
    await runPod(
      'env',
      {
        restartPolicy: 'Never',
        containers: [
          {
            name: 'main',
            image: busybox,
            command: ['sh', '-c', 'env | sort'],
            envFrom: [{ secretRef: { name: 'creds' }, prefix: 'S_' }, { configMapRef: { name: 'settings' } }],
            env: [
              { name: 'PLAIN', value: 'v' },
              { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: 'creds', key: 'TOKEN' } } },
              { name: 'FROM_CM', valueFrom: { configMapKeyRef: { name: 'settings', key: 'MODE' } } },
              { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'POD_NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
              { name: 'COMPOSED', value: '$(PLAIN)-$(MODE)-$$(PLAIN)' },
              { name: 'LEVEL', value: 'overridden' },
            ],
          },
        ],
      },
      'Succeeded',
    );
    const lines = (await logs('env', 'main')).trim().split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        'S_TOKEN=s3cret',
        'S_USER=ferry',
        'MODE=test',
        'LEVEL=overridden',
        'PLAIN=v',
        'FROM_SECRET=s3cret',
        'FROM_CM=test',
        'POD_NAME=env',
        `POD_NS=${ns}`,
        'COMPOSED=v-test-$(PLAIN)',
        'KUBERNETES_SERVICE_HOST=127.0.0.1',
      ]),
    );
    const port = h.double.podPort(ns, 'env');
    expect(port).toBeGreaterThan(0);
    expect(lines).toContain(`PORT=${port}`);
  });

  it('reports exit codes and terminated reasons per container', async () => {
    const pod = await runPod(
      'exits',
      {
        restartPolicy: 'Never',
        containers: [
          { name: 'ok', image: busybox, command: ['sh', '-c', 'exit 0'] },
          { name: 'bad', image: busybox, command: ['sh', '-c', 'exit 3'] },
          {
            name: 'oom',
            image: busybox,
            command: ['sh', '-c', 'tail /dev/zero'],
            resources: { limits: { memory: '16Mi' } },
          },
        ],
      },
      'Failed',
    );
    const byName = Object.fromEntries(
      (pod.status?.containerStatuses ?? []).map((s) => [s.name, s.state?.terminated]),
    );
    expect(byName.ok).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(byName.bad).toMatchObject({ exitCode: 3, reason: 'Error' });
    expect(byName.oom).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
    expect(byName.bad?.containerID).toMatch(/^docker:\/\/[0-9a-f]{64}$/);
    expect(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
  });

  it('follows logs until the container ends, with kubelet timestamps, sinceTime and tailLines', async () => {
    await runPod(
      'chatty',
      {
        restartPolicy: 'Never',
        containers: [
          {
            name: 'main',
            image: busybox,
            command: ['sh', '-c', 'for i in 1 2 3 4; do echo line$i; sleep 0.3; done; echo oops >&2'],
          },
        ],
      },
      'Running',
      'Succeeded',
    );
    const started = Date.now();
    const followed = await logs('chatty', 'main', { follow: true, timestamps: true });
    expect(Date.now() - started).toBeGreaterThan(300);
    const lines = followed.trim().split('\n');
    expect(lines.map((l) => l.replace(/^\S+ /, ''))).toEqual(['line1', 'line2', 'line3', 'line4', 'oops']);
    for (const l of lines) expect(l).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z /);
    // The apiserver passes sinceTime on in whole seconds (strategy.go LogLocation): every line
    // stamped in line 2's second or later, whatever the fraction asked for.
    const secondTs = lines[1]!.split(' ')[0]!;
    const wholeSecond = (l: string) => l.slice(0, 19);
    const fromSecondOf = (ts: string) =>
      lines
        .filter((l) => wholeSecond(l) >= wholeSecond(ts))
        .map((l) => `${l.replace(/^\S+ /, '')}\n`)
        .join('');
    expect(await logs('chatty', 'main', { sinceTime: secondTs })).toBe(fromSecondOf(secondTs));
    expect(await logs('chatty', 'main', { sinceTime: `${wholeSecond(secondTs)}.999999999Z` })).toBe(
      fromSecondOf(secondTs),
    );
    expect(await logs('chatty', 'main', { tailLines: 2 })).toBe('line4\noops\n');
  });

  it('refuses logs without a container name for a multi-container pod, and for a container not started', async () => {
    currentPod = 'two';
    await h.core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name: 'two' },
        spec: {
          nodeName: 'not-this-node',
          containers: [
            { name: 'a', image: busybox },
            { name: 'b', image: busybox },
          ],
        },
      },
    });
    const noName = await apiError(h.core.readNamespacedPodLog({ namespace: ns, name: 'two' }));
    expect(noName.code).toBe(400);
    expect(noName.status.message).toBe(
      'a container name must be specified for pod two, choose one of: [a b]',
    );
    const waiting = await apiError(
      h.core.readNamespacedPodLog({ namespace: ns, name: 'two', container: 'a' }),
    );
    expect(waiting.code).toBe(400);
    expect(waiting.status.message).toBe('container "a" in pod "two" is waiting to start: ContainerCreating');
  });

  it('mounts the service account so a pod reaches the API in-cluster (KUBERNETES_SERVICE_*, token, CA), with its RBAC permissions', async () => {
    const script = [
      "const fs = require('fs'); const dir = '/var/run/secrets/kubernetes.io/serviceaccount';",
      "const ns = fs.readFileSync(dir + '/namespace', 'utf8');",
      "require('https').get({ host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT,",
      "  path: '/api/v1/namespaces/' + ns + '/pods', ca: fs.readFileSync(dir + '/ca.crt'),",
      "  headers: { Authorization: 'Bearer ' + fs.readFileSync(dir + '/token', 'utf8') } },",
      '  (res) => { let b = ""; res.on("data", (c) => (b += c)); res.on("end", () => { const o = JSON.parse(b); console.log(res.statusCode, o.items ? o.items.map((p) => p.metadata.name).join(",") : o.message); }); })',
      "  .on('error', (e) => { console.log('error', e.message); process.exit(1); });",
    ].join('\n');
    const spec: V1PodSpec = {
      restartPolicy: 'Never',
      containers: [{ name: 'main', image: nodeImage, command: ['node', '-e', script] }],
    };
    // The pod's token is the `default` service account's: RBAC gives it nothing yet.
    await runPod('no-rbac', spec, 'Succeeded', 'Failed');
    expect(await logs('no-rbac', 'main')).toBe(
      `403 pods is forbidden: User "system:serviceaccount:${ns}:default" cannot list resource "pods" in API group "" in the namespace "${ns}"\n`,
    );
    const rbac = h.kc.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace: ns,
      body: {
        metadata: { name: 'pod-reader' },
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name: 'pod-reader' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'default' }],
      },
    });
    await runPod('in-cluster', spec, 'Succeeded', 'Failed');
    expect(await logs('in-cluster', 'main')).toMatch(/^200 (.*,)?in-cluster(,.*)?\n$/);
  });

  it('deletion stops the container within the grace period, removes it, then the pod disappears', async () => {
    const pod = await runPod(
      'sleeper',
      {
        terminationGracePeriodSeconds: 1,
        containers: [{ name: 'main', image: busybox, command: ['sleep', '3600'] }],
      },
      'Running',
    );
    // main and the pod's sandbox (container POD).
    expect(await containersOf(h.double, ns)).toHaveLength(2);
    const gone = watchUntil<V1Pod>(
      h.kc,
      `/api/v1/namespaces/${ns}/pods`,
      { resourceVersion: pod.metadata?.resourceVersion ?? '0' },
      (type) => type === 'DELETED',
    );
    const started = Date.now();
    const deleting = await h.core.deleteNamespacedPod({ namespace: ns, name: 'sleeper' });
    expect(deleting.metadata?.deletionTimestamp).toBeDefined();
    expect(deleting.metadata?.deletionGracePeriodSeconds).toBe(1);
    const stopping = await h.core.listNamespacedEvent({
      namespace: ns,
      fieldSelector: 'involvedObject.name=sleeper,reason=Killing',
    });
    expect(stopping.items[0]?.message).toBe('Stopping container main');
    await gone;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await containersOf(h.double, ns)).toEqual([]);
    expect((await apiError(h.core.readNamespacedPod({ namespace: ns, name: 'sleeper' }))).code).toBe(404);
  });

  it('deletion runs the preStop hook in the running container first, then SIGTERM (kubelet killContainer)', async () => {
    // The hook writes to the main process's stdout; the TERM trap prints after it: the followed log
    // shows the order. The container keeps serving while the hook runs.
    await runPod(
      'hooked',
      {
        terminationGracePeriodSeconds: 10,
        containers: [
          {
            name: 'main',
            image: busybox,
            command: [
              'sh',
              '-c',
              'trap "echo got TERM; exit 0" TERM; echo up; while true; do sleep 0.2; done',
            ],
            lifecycle: {
              preStop: { exec: { command: ['sh', '-c', 'echo prestop > /proc/1/fd/1; sleep 1'] } },
            },
          },
        ],
      },
      'Running',
    );
    await waitFor('the container printed up', async () =>
      (await logs('hooked', 'main')).includes('up') ? true : undefined,
    );
    const followed = logs('hooked', 'main', { follow: true });
    await h.core.deleteNamespacedPod({ namespace: ns, name: 'hooked' });
    const text = await followed;
    expect(text.indexOf('prestop'), text).toBeGreaterThan(-1);
    expect(text.indexOf('got TERM'), text).toBeGreaterThan(text.indexOf('prestop'));
    await waitFor('pod hooked gone', () =>
      h.core.readNamespacedPod({ namespace: ns, name: 'hooked' }).then(
        () => undefined,
        (err: { code?: number }) => (err.code === 404 ? true : undefined),
      ),
    );
  });

  it('restarts crashed containers per restartPolicy, counting restarts, CrashLoopBackOff on repeat', async () => {
    currentPod = 'crasher';
    await h.core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name: 'crasher' },
        spec: {
          restartPolicy: 'OnFailure',
          containers: [{ name: 'main', image: busybox, command: ['sh', '-c', 'echo try; exit 2'] }],
        },
      },
    });
    const looping = await waitFor('CrashLoopBackOff', async () => {
      const p = await h.core.readNamespacedPod({ namespace: ns, name: 'crasher' });
      const s = p.status?.containerStatuses?.[0];
      return s && s.restartCount >= 2 && s.state?.waiting?.reason === 'CrashLoopBackOff' ? p : undefined;
    });
    const status = looping.status?.containerStatuses?.[0];
    expect(status?.lastState?.terminated).toMatchObject({ exitCode: 2, reason: 'Error' });
    expect(looping.status?.phase).toBe('Running');
    const events = await h.core.listNamespacedEvent({
      namespace: ns,
      fieldSelector: 'involvedObject.name=crasher,reason=BackOff',
    });
    expect(events.items[0]?.message).toContain('Back-off restarting failed container main');
    expect(await h.core.readNamespacedPodLog({ namespace: ns, name: 'crasher', previous: true })).toBe(
      'try\n',
    );
  });

  it('evaluates exec readiness probes and restarts a container that really crashes', async () => {
    currentPod = 'probed';
    await h.core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name: 'probed' },
        spec: {
          terminationGracePeriodSeconds: 1,
          volumes: [{ name: 'tmp', emptyDir: {} }],
          containers: [
            {
              name: 'main',
              image: busybox,
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
              command: ['sh', '-c', 'sleep 1; touch /tmp/ready; exec sleep 3600'],
              readinessProbe: {
                exec: { command: ['cat', '/tmp/ready'] },
                periodSeconds: 1,
                failureThreshold: 1,
              },
            },
          ],
        },
      },
    });
    const notReady = await waitFor('running', phaseIs('Running'));
    expect(notReady.status?.containerStatuses?.[0]?.ready).toBe(false);
    const ready = await waitFor('ready', async () => {
      const p = await h.core.readNamespacedPod({ namespace: ns, name: 'probed' });
      return p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? p : undefined;
    });
    expect(ready.status?.containerStatuses?.[0]?.ready).toBe(true);
    await h.double.inject.crashContainer(ns, 'probed', 'main');
    const restarted = await waitFor('restart', async () => {
      const p = await h.core.readNamespacedPod({ namespace: ns, name: 'probed' });
      const s = p.status?.containerStatuses?.[0];
      return s?.restartCount === 1 && s.state?.running ? p : undefined;
    });
    expect(restarted.status?.containerStatuses?.[0]?.lastState?.terminated).toMatchObject({
      exitCode: 137,
      reason: 'Error',
    });
  });

  it('restarts a container whose liveness probe fails', async () => {
    currentPod = 'unlively';
    await h.core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name: 'unlively' },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [
            {
              name: 'main',
              image: busybox,
              command: ['sleep', '3600'],
              livenessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1, failureThreshold: 2 },
            },
          ],
        },
      },
    });
    await waitFor('a liveness restart', async () => {
      const p = await h.core.readNamespacedPod({ namespace: ns, name: 'unlively' });
      return (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1;
    });
    const events = await h.core.listNamespacedEvent({
      namespace: ns,
      fieldSelector: 'involvedObject.name=unlively',
    });
    expect(events.items.map((e) => e.message)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Liveness probe failed: dial tcp 127\.0\.0\.1:\d+: /),
        'Container main failed liveness probe, will be restarted',
      ]),
    );
  });

  it('runs a container with its seccomp profile (Localhost from the seccomp root), capabilities and no_new_privs', async () => {
    await copyFile(
      fileURLToPath(new URL('../../deploy/seccomp/ferry-build.json', import.meta.url)),
      join(h.double.seccompRoot, 'ferry-build.json'),
    );
    const unshare = (name: string, securityContext: V1SecurityContext | undefined) => ({
      restartPolicy: 'Never',
      containers: [{ name, image: busybox, command: ['unshare', '-U', 'true'], securityContext }],
    });
    // Docker's default profile (RuntimeDefault) refuses unshare(CLONE_NEWUSER); the shipped one allows it.
    expect(
      (await runPod('sc-default', unshare('main', undefined), 'Succeeded', 'Failed')).status?.phase,
    ).toBe('Failed');
    const local = { seccompProfile: { type: 'Localhost', localhostProfile: 'ferry-build.json' } };
    expect((await runPod('sc-local', unshare('main', local), 'Succeeded', 'Failed')).status?.phase).toBe(
      'Succeeded',
    );

    await runPod(
      'sc-caps',
      {
        restartPolicy: 'Never',
        containers: [
          {
            name: 'main',
            image: busybox,
            command: ['grep', '-E', '^(CapEff|NoNewPrivs)', '/proc/self/status'],
            securityContext: {
              allowPrivilegeEscalation: false,
              capabilities: { drop: ['ALL'], add: ['SETUID'] },
            },
          },
        ],
      },
      'Succeeded',
    );
    expect(await logs('sc-caps', 'main')).toMatch(/CapEff:\s+0000000000000080\s+NoNewPrivs:\s+1/);

    currentPod = 'sc-missing';
    await h.core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name: 'sc-missing' },
        spec: unshare('main', { seccompProfile: { type: 'Localhost', localhostProfile: 'nope.json' } }),
      },
    });
    const waiting = await waitFor('CreateContainerError', async () => {
      const p = await h.core.readNamespacedPod({ namespace: ns, name: 'sc-missing' });
      return p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerError'
        ? p.status.containerStatuses[0].state.waiting
        : undefined;
    });
    expect(waiting.message).toMatch(
      /cannot load seccomp profile ".*nope\.json": open .*: no such file or directory/,
    );
  });
});
