import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { connectTestDocker, testImages } from '../support/services.js';

// Proves the Docker engine is real: a container runs, its exit code and both streams come back.
describe('real Docker engine', () => {
  it('runs a container and reports its exit code, stdout and stderr apart', async () => {
    const docker = await connectTestDocker();
    const container = await docker.createContainer({
      Image: testImages.busybox,
      Cmd: ['sh', '-c', 'echo to-stdout; echo to-stderr >&2; exit 3'],
      Labels: { 'ferry.test': '1' },
      HostConfig: { NetworkMode: 'host' },
    });
    try {
      const stream = await container.attach({ stream: true, stdout: true, stderr: true });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      const stdout = new PassThrough().on('data', (c: Buffer) => out.push(c));
      const stderr = new PassThrough().on('data', (c: Buffer) => err.push(c));
      docker.modem.demuxStream(stream, stdout, stderr);
      await container.start();
      const { StatusCode } = (await container.wait()) as { StatusCode: number };
      expect(StatusCode).toBe(3);
      await new Promise((r) => setTimeout(r, 50));
      expect(Buffer.concat(out).toString()).toBe('to-stdout\n');
      expect(Buffer.concat(err).toString()).toBe('to-stderr\n');
    } finally {
      await container.remove({ force: true });
    }
    await expect(container.inspect()).rejects.toMatchObject({ statusCode: 404 });
  });
});
