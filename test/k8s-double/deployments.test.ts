/** Deployments: rollout, a service that answers, a stuck rollout past its deadline, rollback, scale, delete. */
import { request } from 'node:http';
import { PatchStrategy, setHeaderOptions, type V1Deployment, type V1Pod } from '@kubernetes/client-node';
import { expect, it } from 'vitest';
import {
  apiError,
  containersOf,
  describeWithDocker,
  type Harness,
  nodeImage,
  podSuiteLifecycle,
  waitFor,
} from './test-helpers.js';

let h: Harness;
let ns: string;
const ssa = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);

const server =
  "require('http').createServer((q, s) => s.end(process.env.VERSION + ' ' + process.env.HOSTNAME)).listen(process.env.PORT)";

function manifest(version: string, image = nodeImage): V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      replicas: 2,
      progressDeadlineSeconds: 4,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          terminationGracePeriodSeconds: 2,
          containers: [
            {
              name: 'app',
              image,
              command: ['node', '-e', server],
              env: [{ name: 'VERSION', value: version }],
              ports: [{ name: 'http', containerPort: 8080 }],
              readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 1 },
            },
          ],
        },
      },
    },
  };
}

const apply = (d: V1Deployment) =>
  h.apps.patchNamespacedDeployment({ namespace: ns, name: 'web', body: d, fieldManager: 'ferry' }, ssa);
const read = () => h.apps.readNamespacedDeployment({ namespace: ns, name: 'web' });
const progressing = (d: V1Deployment) => d.status?.conditions?.find((c) => c.type === 'Progressing');
const available = (d: V1Deployment) => d.status?.conditions?.find((c) => c.type === 'Available');

function rolledOut(d: V1Deployment): boolean {
  const s = d.status;
  return (
    s?.observedGeneration === d.metadata?.generation &&
    s?.updatedReplicas === 2 &&
    s?.availableReplicas === 2 &&
    s?.replicas === 2 &&
    progressing(d)?.reason === 'NewReplicaSetAvailable'
  );
}

/** One request on a fresh connection: the proxy balances connections, as kube-proxy does. */
function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => resolve(body));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

async function pods(): Promise<V1Pod[]> {
  return (await h.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=web' })).items.filter(
    (p) => !p.metadata?.deletionTimestamp,
  );
}

describeWithDocker('deployments', () => {
  podSuiteLifecycle('deploy', {
    harness: (x) => {
      h = x;
    },
    namespace: (x) => {
      ns = x;
    },
  });

  it('rolls out, serves through the service, survives a stuck rollout, rolls back, scales, deletes', async () => {
    await h.core.createNamespacedService({
      namespace: ns,
      body: {
        metadata: { name: 'web' },
        spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] },
      },
    });
    await apply(manifest('v1'));
    const first = await waitFor('rollout of v1', async () => {
      const d = await read();
      return rolledOut(d) ? d : undefined;
    });
    expect(available(first)).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable' });
    expect(first.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
    const rs = (await h.apps.listNamespacedReplicaSet({ namespace: ns })).items;
    expect(rs).toHaveLength(1);
    const hash = rs[0]?.metadata?.labels?.['pod-template-hash'] ?? '';
    expect(rs[0]?.metadata?.name).toBe(`web-${hash}`);
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    const v1Pods = await pods();
    expect(v1Pods.map((p) => p.metadata?.name)).toEqual([
      expect.stringMatching(new RegExp(`^web-${hash}-[a-z0-9]{5}$`)),
      expect.anything(),
    ]);
    const ports = v1Pods.map((p) => h.double.podPort(ns, p.metadata?.name ?? ''));
    expect(new Set(ports).size).toBe(2);

    const url = await h.double.serviceUrl(ns, 'web');
    const answers = new Set<string>();
    for (let i = 0; i < 4; i++) answers.add(await get(url));
    expect([...new Set([...answers].map((a) => a.split(' ')[0]))]).toEqual(['v1']);
    expect(answers.size).toBe(2);

    let failures = 0;
    let serving = true;
    const poller = (async () => {
      while (serving) {
        await get(url).catch(() => failures++);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    await apply(manifest('v2'));
    const second = await waitFor('rollout of v2', async () => {
      const d = await read();
      return rolledOut(d) && d.metadata?.generation === 2 ? d : undefined;
    });
    serving = false;
    await poller;
    expect(failures).toBe(0);
    expect((await get(url)).split(' ')[0]).toBe('v2');
    expect(second.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('2');

    await apply(manifest('v3', 'ferry-test/node:does-not-exist'));
    const stuck = await waitFor(
      'ProgressDeadlineExceeded',
      async () => {
        const d = await read();
        return progressing(d)?.reason === 'ProgressDeadlineExceeded' ? d : undefined;
      },
      20_000,
    );
    expect(progressing(stuck)).toMatchObject({
      status: 'False',
      message: expect.stringMatching(/^ReplicaSet "web-[a-z0-9]+" has timed out progressing\.$/),
    });
    expect(available(stuck)?.status).toBe('True');
    expect(stuck.status).toMatchObject({ availableReplicas: 2, updatedReplicas: 1, unavailableReplicas: 1 });
    const broken = (await pods()).find(
      (p) => p.spec?.containers[0]?.image === 'ferry-test/node:does-not-exist',
    );
    expect(['ErrImagePull', 'ImagePullBackOff']).toContain(
      broken?.status?.containerStatuses?.[0]?.state?.waiting?.reason,
    );
    expect((await get(url)).split(' ')[0]).toBe('v2');

    await apply(manifest('v2'));
    const back = await waitFor('rollback to v2', async () => {
      const d = await read();
      return rolledOut(d) && (await pods()).length === 2 ? d : undefined;
    });
    expect(back.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('4');
    expect((await pods()).every((p) => p.spec?.containers[0]?.env?.[0]?.value === 'v2')).toBe(true);
    expect((await get(url)).split(' ')[0]).toBe('v2');

    const scale = await h.apps.patchNamespacedDeploymentScale(
      { namespace: ns, name: 'web', body: { spec: { replicas: 1 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(scale.spec?.replicas).toBe(1);
    await waitFor(
      'scale down to 1',
      async () => (await pods()).length === 1 && (await containersOf(h.double, ns)).length === 1,
    );
    expect(
      (await h.apps.readNamespacedDeploymentScale({ namespace: ns, name: 'web' })).status?.replicas,
    ).toBe(1);

    await h.apps.deleteNamespacedDeployment({ namespace: ns, name: 'web', propagationPolicy: 'Foreground' });
    await waitFor('deployment, replica sets and pods gone', async () => {
      const gone = (await apiError(read())).code === 404;
      const rsLeft = (await h.apps.listNamespacedReplicaSet({ namespace: ns })).items.length;
      const podsLeft = (await h.core.listNamespacedPod({ namespace: ns })).items.length;
      return gone && rsLeft === 0 && podsLeft === 0;
    });
    await waitFor('containers gone', async () => (await containersOf(h.double, ns)).length === 0);
  });
});
