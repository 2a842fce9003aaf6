/** Images from a registry on loopback are really pulled, with the pod's imagePullSecrets. */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  busybox,
  containersOf,
  deleteNamespace,
  docker,
  dockerUp,
  type Harness,
  startHarness,
  uniqueName,
  waitFor,
} from './test-helpers.js';

function installed(bin: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const tools = installed('docker-registry') && installed('htpasswd');
const describeRegistry = (dockerUp && tools) || process.env.CI === 'true' ? describe : describe.skip;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function follow(stream: NodeJS.ReadableStream): Promise<void> {
  const out = await new Promise<{ error?: string }[]>((resolve, reject) =>
    docker.modem.followProgress(stream, (err: Error | null, res: unknown[]) =>
      err ? reject(err) : resolve(res as { error?: string }[]),
    ),
  );
  const failed = out.find((o) => o.error);
  if (failed) throw new Error(failed.error);
}

let h: Harness;
let ns: string;
let registry: ChildProcess | undefined;
let dir: string;
let image: string;
let host: string;

describeRegistry('pulling from a registry on loopback', () => {
  beforeAll(async () => {
    if (!dockerUp || !tools)
      throw new Error(
        'Docker engine, docker-registry and htpasswd are required (CI=true fails, never skips)',
      );
    dir = mkdtempSync(join(tmpdir(), 'k8sd-registry-'));
    const port = await freePort();
    host = `127.0.0.1:${port}`;
    writeFileSync(join(dir, 'htpasswd'), execFileSync('htpasswd', ['-Bbn', 'puller', 'pull-pass']));
    writeFileSync(
      join(dir, 'config.yml'),
      `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\nhttp:\n  addr: ${host}\nauth:\n  htpasswd:\n    realm: k8s-double-test\n    path: ${dir}/htpasswd\n`,
    );
    registry = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
    await waitFor('registry up', async () => (await fetch(`http://${host}/v2/`)).status === 401);
    image = `${host}/k8sd/busybox:pull-test`;
    await docker.getImage(busybox).tag({ repo: `${host}/k8sd/busybox`, tag: 'pull-test' });
    const auth = { username: 'puller', password: 'pull-pass', serveraddress: host };
    await follow(await docker.getImage(image).push({ authconfig: auth }));
    await docker.getImage(image).remove();
    h = await startHarness();
    ns = uniqueName('registry');
    await h.core.createNamespace({ body: { metadata: { name: ns } } });
  });

  afterAll(async () => {
    if (h) {
      await deleteNamespace(h, ns);
      await h.double.close();
    }
    if (image)
      await docker
        .getImage(image)
        .remove()
        .catch(() => undefined);
    registry?.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('fails with ErrImagePull without credentials, and pulls and runs with an imagePullSecret', async () => {
    const spec = (secret?: string) => ({
      restartPolicy: 'Never',
      ...(secret ? { imagePullSecrets: [{ name: secret }] } : {}),
      containers: [{ name: 'main', image, command: ['echo', 'pulled'] }],
    });
    await h.core.createNamespacedPod({
      namespace: ns,
      body: { metadata: { name: 'anonymous' }, spec: spec() },
    });
    const denied = await waitFor('ErrImagePull', async () => {
      const p: V1Pod = await h.core.readNamespacedPod({ namespace: ns, name: 'anonymous' });
      return p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ErrImagePull' ? p : undefined;
    });
    expect(denied.status?.containerStatuses?.[0]?.state?.waiting?.message).toMatch(
      /no basic auth credentials|unauthorized|authentication required/,
    );

    const dockerconfig = {
      auths: {
        [host]: {
          username: 'puller',
          password: 'pull-pass',
          auth: Buffer.from('puller:pull-pass').toString('base64'),
        },
      },
    };
    await h.core.createNamespacedSecret({
      namespace: ns,
      body: {
        metadata: { name: 'pull' },
        type: 'kubernetes.io/dockerconfigjson',
        stringData: { '.dockerconfigjson': JSON.stringify(dockerconfig) },
      },
    });
    await h.core.createNamespacedPod({
      namespace: ns,
      body: { metadata: { name: 'authorized' }, spec: spec('pull') },
    });
    const ran = await waitFor('pulled and ran', async () => {
      const p = await h.core.readNamespacedPod({ namespace: ns, name: 'authorized' });
      return p.status?.phase === 'Succeeded' ? p : undefined;
    });
    expect(ran.status?.containerStatuses?.[0]?.imageID).toMatch(
      new RegExp(`^docker-pullable://${host}/k8sd/busybox@sha256:`),
    );
    expect(await h.core.readNamespacedPodLog({ namespace: ns, name: 'authorized' })).toBe('pulled\n');
    await h.core.deleteNamespacedPod({ namespace: ns, name: 'anonymous' });
    await h.core.deleteNamespacedPod({ namespace: ns, name: 'authorized' });
    await waitFor('containers gone', async () => (await containersOf(h.double, ns)).length === 0);
  });
});
