/**
 * The deploy's watch for hopeless pods, against the Kubernetes test double: real kubelet
 * reasons (missing configuration, an init container in a crash loop), and a watch that survives
 * dropped streams and expired resource versions.
 */
import type { V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchForHopelessPod } from '../../packages/runner/src/deploy/hopeless-pods.js';
import { type KubeClients, kubeClients } from '../../packages/runner/src/deploy/kube-clients.js';
import { type K8sDouble, startK8sDouble } from '../k8s-double/index.js';
import { connectTestDocker, testImages } from '../support/services.js';
import { uniqueSuffix } from './release-support.js';

let double: K8sDouble;
let c: KubeClients;
const namespace = `hopeless-${uniqueSuffix()}`;

beforeAll(async () => {
  await connectTestDocker();
  double = await startK8sDouble({ namespaces: [namespace] });
  c = kubeClients(double.kubeconfigYaml, null);
});

afterAll(async () => {
  if (double === undefined) return;
  await double.close();
  expect(await double.leftovers()).toEqual([]);
});

/** A stand-in for a new ReplicaSet: what the watch uses of it is its namespace, selector and hash. */
function replicaSet(app: string): V1ReplicaSet {
  return {
    metadata: { name: `${app}-rs`, namespace, labels: { app, 'pod-template-hash': 'h1' } },
    spec: { selector: { matchLabels: { app } }, template: {} },
  };
}

async function createPod(app: string, spec: NonNullable<V1Pod['spec']>): Promise<string> {
  const name = `${app}-${uniqueSuffix()}`;
  await c.core.createNamespacedPod({
    namespace,
    body: { metadata: { name, labels: { app, 'pod-template-hash': 'h1' } }, spec },
  });
  return name;
}

async function restartsOf(name: string): Promise<number> {
  const pod = await c.core.readNamespacedPod({ namespace, name });
  return pod.status?.initContainerStatuses?.[0]?.restartCount ?? 0;
}

describe('watchForHopelessPod', () => {
  it('finds a pod whose container refers to a Secret that does not exist', async () => {
    const app = `cfg${uniqueSuffix()}`;
    const controller = new AbortController();
    const found = watchForHopelessPod(c, replicaSet(app), controller.signal);
    const name = await createPod(app, {
      containers: [
        {
          name: 'web',
          image: testImages.busybox,
          command: ['sleep', '3600'],
          envFrom: [{ secretRef: { name: 'not-there' } }],
        },
      ],
    });
    const hopeless = await found;
    expect(hopeless.pod).toBe(name);
    expect(hopeless.reason).toMatch(/^container web CreateContainerConfigError: .*not-there/);
  });

  it('finds an init container in a crash loop, across dropped watches and expired versions', async () => {
    const app = `init${uniqueSuffix()}`;
    const controller = new AbortController();
    const found = watchForHopelessPod(c, replicaSet(app), controller.signal);
    // A pod of another ReplicaSet (another hash) is none of its business.
    await c.core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: `${app}-other`, labels: { app, 'pod-template-hash': 'h0' } },
        spec: { containers: [{ name: 'web', image: 'Not A Valid Name' }] },
      },
    });
    const name = await createPod(app, {
      initContainers: [{ name: 'migrate', image: testImages.busybox, command: ['sh', '-c', 'exit 1'] }],
      containers: [{ name: 'web', image: testImages.busybox, command: ['sleep', '3600'] }],
    });
    // Once the pod is being restarted, the streams break under the watch.
    for (;;) {
      if ((await restartsOf(name)) >= 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    double.inject.expireResourceVersions();
    expect(double.inject.dropWatches()).toBeGreaterThan(0);
    const hopeless = await found;
    expect(hopeless.pod).toBe(name);
    expect(hopeless.reason).toMatch(
      /^init container migrate CrashLoopBackOff after \d+ restarts \(last exit code 1/,
    );
  });

  it('stops when its signal aborts', async () => {
    const controller = new AbortController();
    const found = watchForHopelessPod(c, replicaSet(`none${uniqueSuffix()}`), controller.signal);
    controller.abort(new Error('stopped'));
    await expect(found).rejects.toThrow('stopped');
  });
});
