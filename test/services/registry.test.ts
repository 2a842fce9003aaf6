import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { connectTestDocker, testImages, testRegistry } from '../support/services.js';

// Proves the registry is real: an image pushed with htpasswd credentials reads back by the API.
describe('real registry with htpasswd credentials', () => {
  const registry = testRegistry();
  const basic = `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString('base64')}`;
  const accept = [
    'application/vnd.docker.distribution.manifest.v2+json',
    'application/vnd.oci.image.manifest.v1+json',
  ].join(', ');

  it('refuses anonymous reads', async () => {
    const res = await fetch(`http://${registry.address}/v2/`);
    expect(res.status).toBe(401);
  });

  it('pushes an image and reads the same manifest digest back', async () => {
    const docker = await connectTestDocker();
    const repo = `${registry.address}/ferry-test/svc-${randomUUID().slice(0, 8)}`;
    const image = docker.getImage(testImages.busybox);
    await image.tag({ repo, tag: 'v1' });
    try {
      const stream = await docker.getImage(`${repo}:v1`).push({
        authconfig: {
          username: registry.username,
          password: registry.password,
          serveraddress: registry.address,
        },
      });
      const events = await followProgress(docker, stream);
      const failure = events.find((e) => e.error !== undefined);
      expect(failure).toBeUndefined();
      const pushedDigest = events.map((e) => e.aux?.Digest).find((d) => d !== undefined);
      expect(pushedDigest).toMatch(/^sha256:[0-9a-f]{64}$/);

      const path = repo.slice(registry.address.length + 1);
      const res = await fetch(`http://${registry.address}/v2/${path}/manifests/v1`, {
        headers: { authorization: basic, accept },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('docker-content-digest')).toBe(pushedDigest);
    } finally {
      await docker.getImage(`${repo}:v1`).remove({ force: true });
    }
  });

  it('fails a push with wrong credentials', async () => {
    const docker = await connectTestDocker();
    const repo = `${registry.address}/ferry-test/denied-${randomUUID().slice(0, 8)}`;
    await docker.getImage(testImages.busybox).tag({ repo, tag: 'v1' });
    try {
      const stream = await docker.getImage(`${repo}:v1`).push({
        authconfig: {
          username: registry.username,
          password: 'wrong-password',
          serveraddress: registry.address,
        },
      });
      const events = await followProgress(docker, stream);
      expect(events.some((e) => e.error !== undefined)).toBe(true);
    } finally {
      await docker.getImage(`${repo}:v1`).remove({ force: true });
    }
  });
});

interface ProgressEvent {
  status?: string;
  error?: string;
  aux?: { Digest?: string };
}

function followProgress(
  docker: import('dockerode'),
  stream: NodeJS.ReadableStream,
): Promise<ProgressEvent[]> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, events: ProgressEvent[]) =>
      err ? reject(err) : resolve(events),
    );
  });
}
