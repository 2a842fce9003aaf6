/**
 * What an install applies beyond Deployments, through kubectl with validation on: a StatefulSet
 * (ordered pods `<set>-<n>`, a PVC per claim template that outlives its pod, `kubectl rollout
 * status`, a rolling update), a PodDisruptionBudget and a NetworkPolicy (stored and validated).
 */
import { beforeAll, expect, it } from 'vitest';
import { kubectl, requireKubectl } from './kubectl.js';
import { describeWithDocker, type Harness, nodeImage, podSuiteLifecycle, waitFor } from './test-helpers.js';

let h: Harness;
let ns: string;

/** Appends its start to /data/starts and serves the file: a restarted pod shows the earlier starts. */
const server = `const fs = require('fs'); fs.appendFileSync('/data/starts', process.env.VERSION + ' ' + process.env.HOSTNAME + '\\n');
require('http').createServer((q, s) => s.end(fs.readFileSync('/data/starts'))).listen(process.env.PORT)`;

const manifests = (version: string) => `
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: store }
spec:
  serviceName: store
  replicas: 2
  selector: { matchLabels: { app: store } }
  template:
    metadata: { labels: { app: store } }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: app
          image: ${nodeImage}
          command: [node, -e, ${JSON.stringify(server)}]
          env: [{ name: VERSION, value: ${version} }]
          ports: [{ name: http, containerPort: 8080 }]
          readinessProbe: { httpGet: { path: /, port: http }, periodSeconds: 1 }
          volumeMounts: [{ name: data, mountPath: /data }]
  volumeClaimTemplates:
    - metadata: { name: data }
      spec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 1Gi } } }
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: store }
spec: { minAvailable: 1, selector: { matchLabels: { app: store } } }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: store }
spec:
  podSelector: { matchLabels: { app: store } }
  policyTypes: [Ingress]
  ingress: [{ ports: [{ port: 8080, protocol: TCP }] }]
`;

describeWithDocker('statefulsets, disruption budgets and network policies', () => {
  beforeAll(() => requireKubectl());
  podSuiteLifecycle('sts', {
    harness: (x) => {
      h = x;
    },
    namespace: (x) => {
      ns = x;
    },
  });

  const k = (args: string[], input?: string) =>
    kubectl(h.double.kubeconfigPath, ['-n', ns, ...args], {
      timeoutMs: 120_000,
      ...(input ? { input } : {}),
    });

  it('applies with validation, rolls out in order with a PVC per pod, survives a pod deletion, rolls an update', async () => {
    const applied = await k(['apply', '--validate=strict', '-f', '-'], manifests('v1'));
    expect(applied.stderr).toBe('');
    expect(applied.stdout.trim().split('\n')).toEqual([
      'statefulset.apps/store created',
      'poddisruptionbudget.policy/store created',
      'networkpolicy.networking.k8s.io/store created',
    ]);
    const rollout = await k(['rollout', 'status', 'statefulset/store', '--timeout=90s']);
    expect(rollout, rollout.stderr).toMatchObject({ code: 0 });
    // The apiserver defaults rollingUpdate.partition to 0, and kubectl's StatefulSetStatusViewer
    // then reports a partitioned rollout (kubectl polymorphichelpers/rollout_status.go).
    expect(rollout.stdout).toMatch(/partitioned roll out complete: 2 new pods have been updated\.\.\.\n$/);
    const pods = (await h.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=store' })).items;
    expect(pods.map((p) => p.metadata?.name).sort()).toEqual(['store-0', 'store-1']);
    // OrderedReady: store-1 was created once store-0 was ready.
    const created = (n: string) =>
      Date.parse(pods.find((p) => p.metadata?.name === n)?.metadata?.creationTimestamp as unknown as string);
    const ready0 = pods
      .find((p) => p.metadata?.name === 'store-0')
      ?.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime;
    expect(created('store-1')).toBeGreaterThanOrEqual(Date.parse(String(ready0)) - 1000);
    const claims = (await h.core.listNamespacedPersistentVolumeClaim({ namespace: ns })).items;
    expect(claims.map((c) => c.metadata?.name).sort()).toEqual(['data-store-0', 'data-store-1']);

    // A deleted pod comes back under its name, on its claim: the file holds both starts.
    await h.core.deleteNamespacedPod({ namespace: ns, name: 'store-0' });
    await waitFor(
      'store-0 back',
      async () => {
        const p = await h.core.readNamespacedPod({ namespace: ns, name: 'store-0' }).catch(() => undefined);
        const ready = p?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
        return ready && !p?.metadata?.deletionTimestamp && p?.metadata?.uid !== pods[0]?.metadata?.uid
          ? p
          : undefined;
      },
      60_000,
    );
    const port = h.double.podPort(ns, 'store-0');
    expect((await (await fetch(`http://127.0.0.1:${port}/`)).text()).trim().split('\n')).toEqual([
      'v1 store-0',
      'v1 store-0',
    ]);

    // An update rolls the pods (highest first) to the new revision.
    await k(['apply', '-f', '-'], manifests('v2'));
    const second = await k(['rollout', 'status', 'statefulset/store', '--timeout=90s']);
    expect(second, second.stderr).toMatchObject({ code: 0 });
    const set = await h.apps.readNamespacedStatefulSet({ namespace: ns, name: 'store' });
    expect(set.status).toMatchObject({ replicas: 2, readyReplicas: 2, updatedReplicas: 2 });
    expect(set.status?.currentRevision).toBe(set.status?.updateRevision);
    const port1 = h.double.podPort(ns, 'store-1');
    expect((await (await fetch(`http://127.0.0.1:${port1}/`)).text()).trim().split('\n')).toEqual([
      'v1 store-1',
      'v2 store-1',
    ]);
    const pdb = await k(['get', 'pdb', 'store', '-o', 'jsonpath={.spec.minAvailable}']);
    expect(pdb.stdout).toBe('1');
  });
});
