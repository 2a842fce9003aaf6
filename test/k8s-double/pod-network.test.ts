/**
 * Pods' own network namespaces on the double's node (pods/network/): which pods get one, what they
 * reach, and two pods listening at the same loopback port at once (each sees its own).
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { V1PodSpec } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { baseInRegistry } from '../release/buildah-sandbox.js';
import { testRegistry } from '../support/services.js';
import { namedLoopbackAddresses, podNetworkChoice } from './pods/network/rule.js';
import {
  busybox,
  containersOf,
  describeWithDocker,
  docker,
  type Harness,
  nodeImage,
  podSuiteLifecycle,
  waitFor,
} from './test-helpers.js';

describe('the pod network rule (pure)', () => {
  const container = { name: 'c', image: busybox };
  it.each([
    ['a plain pod', { containers: [container] }, true],
    ['hostNetwork', { hostNetwork: true, containers: [container] }, false],
    ['a declared port', { containers: [{ ...container, ports: [{ containerPort: 80 }] }] }, false],
    [
      'a tcpSocket readiness probe',
      { containers: [{ ...container, readinessProbe: { tcpSocket: { port: 80 } } }] },
      false,
    ],
    [
      'an httpGet preStop handler',
      { containers: [{ ...container, lifecycle: { preStop: { httpGet: { port: 80 } } } }] },
      false,
    ],
    [
      'an exec liveness probe',
      { containers: [{ ...container, livenessProbe: { exec: { command: ['true'] } } }] },
      true,
    ],
    [
      'a sidecar with a port',
      {
        initContainers: [
          { ...container, name: 's', restartPolicy: 'Always', ports: [{ containerPort: 6379 }] },
        ],
        containers: [container],
      },
      false,
    ],
  ] as [string, V1PodSpec, boolean][])('%s', (_, spec, own) => {
    expect(podNetworkChoice(spec).own).toBe(own);
  });

  it('finds the loopback addresses a pod was told to reach', () => {
    expect(
      namedLoopbackAddresses([
        'http://127.0.0.1:3000/group/cart.git',
        '127.0.0.1:5000',
        'https://localhost:6443',
        'http://[::1]:8080/x 127.96.0.12:80',
        'redis://10.0.0.1:6379 127.0.0.1:99999 x127.0.0.1:1 12127.0.0.1:2',
      ]),
    ).toEqual([
      { listen: '127.0.0.1', port: 3000, host: '127.0.0.1' },
      { listen: '127.0.0.1', port: 5000, host: '127.0.0.1' },
      { listen: '127.0.0.1', port: 6443, host: '127.0.0.1' },
      { listen: '::1', port: 6443, host: '::1' },
      { listen: '::1', port: 8080, host: '::1' },
      { listen: '127.96.0.12', port: 80, host: '127.96.0.12' },
    ]);
  });
});

let h: Harness;
let ns: string;

/** A host HTTP server answering `text`, on a free loopback port. */
async function hostServer(text: string): Promise<{ server: Server; port: number }> {
  const server = createServer((_, res) => res.end(text));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

async function logOf(pod: string, container = 'main'): Promise<string> {
  return h.core.readNamespacedPodLog({ namespace: ns, name: pod, container }).catch(() => '');
}

async function createPod(name: string, spec: V1PodSpec): Promise<void> {
  await h.core.createNamespacedPod({
    namespace: ns,
    body: { metadata: { name, labels: { app: name } }, spec },
  });
}

describeWithDocker('pods in their own network namespaces', () => {
  podSuiteLifecycle('podnet', {
    harness: (x) => {
      h = x;
    },
    namespace: (x) => {
      ns = x;
    },
  });

  const servers: Server[] = [];
  afterAll(async () => {
    for (const s of servers) await new Promise((r) => s.close(r));
  });

  it('two pods listen at 127.0.0.1:6379 at the same time, each reaching its own', async () => {
    // Each pod serves its own name at 127.0.0.1:6379 and reads it back; then stays up.
    const script = [
      'mkdir -p /tmp/www && echo "I am $POD" > /tmp/www/index.html',
      'httpd -p 127.0.0.1:6379 -h /tmp/www || { echo "cannot listen"; exit 3; }',
      'wget -qO- http://127.0.0.1:6379/',
      'exec sleep 3600',
    ].join('\n');
    const spec = (pod: string): V1PodSpec => ({
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 0,
      containers: [
        { name: 'main', image: busybox, command: ['sh', '-c', script], env: [{ name: 'POD', value: pod }] },
      ],
    });
    // One after the other, so the second listens while the first still does.
    for (const name of ['first', 'second']) {
      await createPod(name, spec(name));
      await waitFor(
        `${name} serves itself`,
        async () => {
          const log = await logOf(name);
          if (log.includes('cannot listen')) throw new Error(`${name}: ${log}`);
          return log.includes(`I am ${name}`);
        },
        60_000,
      );
    }
    // Both run at this moment, each in a namespace of its own (joined to its sandbox).
    for (const name of ['first', 'second']) {
      const pod = await h.core.readNamespacedPod({ namespace: ns, name });
      expect(pod.status?.phase).toBe('Running');
    }
    const containers = await containersOf(h.double, ns);
    const sandboxes = containers.filter((c) => c.Labels['ferry.k8s-double.container'] === 'POD');
    expect(sandboxes).toHaveLength(2);
    expect(sandboxes.every((c) => c.HostConfig.NetworkMode === 'none')).toBe(true);
    const mains = containers.filter((c) => c.Labels['ferry.k8s-double.container'] === 'main');
    expect(new Set(mains.map((c) => c.HostConfig.NetworkMode)).size).toBe(2);
    expect(mains.every((c) => c.HostConfig.NetworkMode.startsWith('container:'))).toBe(true);
  }, 180_000);

  it('reaches the addresses named in its spec, the API server and Services, and nothing else of the host', async () => {
    const named = await hostServer('named answer');
    const unnamed = await hostServer('unnamed answer');
    servers.push(named.server, unnamed.server);
    // The unnamed port reaches the pod only as two pieces no rule can read as an address.
    const tail = String(unnamed.port).slice(-2);
    const head = String(unnamed.port).slice(0, -2);
    await createPod('client', {
      restartPolicy: 'Never',
      containers: [
        {
          name: 'main',
          image: busybox,
          command: [
            'sh',
            '-c',
            [
              'wget -qO- "$NAMED" && echo',
              'wget -qO- -T 5 "http://127.0.0.1:$HEAD$TAIL/" || echo "unnamed refused"',
              // The API server (TLS) accepts the connection: busybox wget speaks plain HTTP to it and
              // fails, but not with a refused connection.
              'wget -qO- -T 5 "http://127.0.0.1:$KUBERNETES_SERVICE_PORT/" 2>&1 | grep -q refused && echo "api refused" || echo "api reachable"',
            ].join('\n'),
          ],
          env: [
            { name: 'NAMED', value: `http://127.0.0.1:${named.port}/` },
            { name: 'HEAD', value: head },
            { name: 'TAIL', value: tail },
          ],
        },
      ],
    });
    const log = await waitFor(
      'the client to end',
      async () => {
        const pod = await h.core.readNamespacedPod({ namespace: ns, name: 'client' });
        return ['Succeeded', 'Failed'].includes(pod.status?.phase ?? '') ? logOf('client') : undefined;
      },
      60_000,
    );
    expect(log).toContain('named answer');
    expect(log).toContain('unnamed refused');
    expect(log).not.toContain('unnamed answer');
    expect(log).toContain('api reachable');
  }, 120_000);

  it('is reached through a Service at its PORT, and reaches a Service created after it by name', async () => {
    // The server pod listens at its PORT inside its namespace; the double carries the Service to it.
    await createPod('web', {
      containers: [
        {
          name: 'main',
          image: busybox,
          command: [
            'sh',
            '-c',
            'mkdir -p /tmp/www && echo "web here" > /tmp/www/index.html && exec httpd -f -p 127.0.0.1:$PORT -h /tmp/www',
          ],
        },
      ],
    });
    // busybox-static's wget cannot resolve names (it crashes): node resolves through /etc/hosts.
    const call = `
      const attempt = () =>
        fetch('http://web:80/', { signal: AbortSignal.timeout(2000) })
          .then((r) => r.text())
          .then((t) => { console.log(t.trim()); console.log('called'); setInterval(() => {}, 1e6); })
          .catch(() => setTimeout(attempt, 500));
      attempt();`;
    await createPod('caller', {
      containers: [{ name: 'main', image: nodeImage, command: ['node', '-e', call] }],
    });
    await h.core.createNamespacedService({
      namespace: ns,
      body: { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } },
    });
    const url = await h.double.serviceUrl(ns, 'web', { timeoutMs: 60_000 });
    const body = await waitFor('the Service answers', async () => {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
      return res?.ok ? res.text() : undefined;
    });
    expect(body).toBe('web here\n');
    await waitFor(
      'the caller reached web by name',
      async () => (await logOf('caller')).includes('called'),
      60_000,
    );
    expect(await logOf('caller')).toContain('web here');
  }, 180_000);
  it("carries the registry's base-image layers whole to a slow reader, half-closed or not, again and again", async () => {
    // The layers buildah pulls in a restricted build (the node base, pushed as release tests push it),
    // through the relay a pod in its own namespace reaches the registry by.
    const registry = testRegistry();
    const base = await baseInRegistry(docker, nodeImage);
    const repo = base.slice(registry.address.length + 1, base.lastIndexOf(':'));
    const auth = `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString('base64')}`;
    const manifest = (await (
      await fetch(
        `http://${registry.address}/v2/${repo}/manifests/${base.slice(base.lastIndexOf(':') + 1)}`,
        {
          headers: { authorization: auth, accept: 'application/vnd.docker.distribution.manifest.v2+json' },
        },
      )
    ).json()) as { layers: { digest: string; size: number }[] };
    const blobs = manifest.layers.map(({ digest }) => ({ digest }));
    const bytes = manifest.layers.reduce((sum, l) => sum + l.size, 0);
    expect(bytes).toBeGreaterThan(10_000_000);
    await h.core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: 'registry-auth' }, stringData: { authorization: auth } },
    });
    const rounds = 2;
    await createPod('puller', {
      restartPolicy: 'Never',
      containers: [
        {
          name: 'main',
          image: nodeImage,
          command: [
            'node',
            '-e',
            await readFile(new URL('./fixtures/slow-pull.cjs', import.meta.url), 'utf8'),
          ],
          env: [
            { name: 'REGISTRY', value: registry.address },
            { name: 'REPO', value: repo },
            { name: 'BLOBS', value: JSON.stringify(blobs) },
            { name: 'ROUNDS', value: String(rounds) },
            { name: 'AUTH', valueFrom: { secretKeyRef: { name: 'registry-auth', key: 'authorization' } } },
          ],
        },
      ],
    });
    const log = await waitFor(
      'the pulls to end',
      async () => {
        const text = await logOf('puller');
        return text.includes('pulls done') ? text : undefined;
      },
      600_000,
    );
    const pulls = log.split('\n').filter((line) => line.startsWith('pull '));
    console.info(
      `[pod-network] ${pulls.length} slow pulls of ${(bytes / 1e6).toFixed(0)} MB:\n${pulls.join('\n')}`,
    );
    expect(pulls).toHaveLength(rounds * 3 * blobs.length);
    const cut = pulls.filter((line) => !/ whole 200 (\d+)\/\1 digest-ok$/.test(line));
    expect(cut).toEqual([]);
  }, 900_000);
});
