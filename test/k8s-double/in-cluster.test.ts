/**
 * What in-cluster clients need from the double: a pod reaches a Service by its DNS names and its
 * `clusterIP:port` (kube-proxy, cluster DNS), sees the Services of its namespace in its environment
 * (kubelet service links), and two replicas of a program that reads its port from its own variable
 * both serve (the double's `k8s-double/port-env`).
 */
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { expect, it } from 'vitest';
import {
  deleteNamespace,
  describeWithDocker,
  type Harness,
  nodeImage,
  podSuiteLifecycle,
  uniqueName,
  waitFor,
} from './test-helpers.js';

let h: Harness;
let ns: string;

/** Answers with its hostname; listens on APP_PORT (not PORT), as many programs do. */
const server =
  "require('http').createServer((q, s) => s.end(process.env.HOSTNAME)).listen(Number(process.env.APP_PORT))";

function backend(): V1Deployment {
  return {
    metadata: { name: 'backend' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'backend' } },
      template: {
        metadata: { labels: { app: 'backend' }, annotations: { 'k8s-double/port-env': 'APP_PORT' } },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [
            {
              name: 'app',
              image: nodeImage,
              command: ['node', '-e', server],
              env: [{ name: 'APP_PORT', value: '8080' }],
              ports: [{ name: 'http', containerPort: 8080 }],
              readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 1 },
            },
          ],
        },
      },
    },
  };
}

/** A client pod: prints its env and what each URL answers, one line each. */
function client(urls: string[]): V1Pod {
  const script = `
const env = Object.entries(process.env).filter(([k]) => k.startsWith('BACKEND_')).sort();
for (const [k, v] of env) console.log('env', k + '=' + v);
(async () => {
  for (const url of ${JSON.stringify(urls)}) {
    const seen = new Set();
    for (let i = 0; i < 4; i++) {
      try { seen.add(await (await fetch(url)).text()); } catch (e) { seen.add('error ' + (e.cause?.code ?? e.message)); }
    }
    console.log('get', url, [...seen].sort().join(','));
  }
})();`;
  return {
    metadata: { name: 'client' },
    spec: {
      restartPolicy: 'Never',
      containers: [{ name: 'client', image: nodeImage, command: ['node', '-e', script] }],
    },
  };
}

describeWithDocker('in-cluster networking', () => {
  podSuiteLifecycle('net', {
    harness: (x) => {
      h = x;
    },
    namespace: (x) => {
      ns = x;
    },
  });

  it('a pod reaches a Service by name and ClusterIP, with service link variables; replicas get their own ports', async () => {
    const svc = await h.core.createNamespacedService({
      namespace: ns,
      body: {
        metadata: { name: 'backend' },
        spec: { selector: { app: 'backend' }, ports: [{ name: 'web', port: 80, targetPort: 'http' }] },
      },
    });
    const ip = svc.spec?.clusterIP ?? '';
    expect(ip).toMatch(/^127\.\d+\.\d+\.\d+$/);
    await h.apps.createNamespacedDeployment({ namespace: ns, body: backend() });
    const replicas = await waitFor('two ready backends', async () => {
      const pods = (await h.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=backend' })).items;
      const ready = pods.filter((p) =>
        p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      );
      return ready.length === 2 ? ready : undefined;
    });
    const names = replicas.map((p) => p.metadata?.name ?? '').sort();
    const ports = replicas.map((p) => h.double.podPort(ns, p.metadata?.name ?? ''));
    expect(new Set(ports).size).toBe(2);

    const urls = [
      `http://backend/`,
      `http://backend.${ns}/`,
      `http://backend.${ns}.svc/`,
      `http://backend.${ns}.svc.cluster.local/`,
      `http://${ip}:80/`,
    ];
    await h.core.createNamespacedPod({ namespace: ns, body: client(urls) });
    await waitFor('client done', async () => {
      const p = await h.core.readNamespacedPod({ namespace: ns, name: 'client' });
      return p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed' ? p : undefined;
    });
    const log = await h.core.readNamespacedPodLog({ namespace: ns, name: 'client', container: 'client' });
    const lines = log.trim().split('\n');
    // kubelet envvars.go FromServices for a Service named backend with one named port 80/TCP.
    expect(lines.filter((l) => l.startsWith('env '))).toEqual(
      [
        `BACKEND_PORT=tcp://${ip}:80`,
        `BACKEND_PORT_80_TCP=tcp://${ip}:80`,
        `BACKEND_PORT_80_TCP_ADDR=${ip}`,
        `BACKEND_PORT_80_TCP_PORT=80`,
        `BACKEND_PORT_80_TCP_PROTO=tcp`,
        `BACKEND_SERVICE_HOST=${ip}`,
        `BACKEND_SERVICE_PORT=80`,
        `BACKEND_SERVICE_PORT_WEB=80`,
      ].map((e) => `env ${e}`),
    );
    // Every name and the ClusterIP reach both replicas (round-robin over ready pods).
    expect(lines.filter((l) => l.startsWith('get '))).toEqual(urls.map((u) => `get ${u} ${names.join(',')}`));

    // A pod in another namespace reaches it by its qualified name only.
    const other = uniqueName('net-other');
    await h.core.createNamespace({ body: { metadata: { name: other } } });
    try {
      await h.core.createNamespacedPod({
        namespace: other,
        body: client([`http://backend.${ns}/`, 'http://backend/']),
      });
      await waitFor('other client done', async () => {
        const p = await h.core.readNamespacedPod({ namespace: other, name: 'client' });
        return p.status?.phase === 'Succeeded' ? p : undefined;
      });
      const otherLog = await h.core.readNamespacedPodLog({
        namespace: other,
        name: 'client',
        container: 'client',
      });
      // The short name does not resolve in another namespace. The client has its own network
      // namespace, where no DNS server is reachable: the lookup fails as a temporary error
      // (EAI_AGAIN) where cluster DNS would answer NXDOMAIN (ENOTFOUND; docs/k8s-double.md).
      expect(otherLog.trim().split('\n')).toEqual([
        `get http://backend.${ns}/ ${names.join(',')}`,
        expect.stringMatching(/^get http:\/\/backend\/ error (ENOTFOUND|EAI_AGAIN)$/),
      ]);
    } finally {
      await deleteNamespace(h, other);
    }
  });
});
