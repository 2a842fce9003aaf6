import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../packages/server/src/redis/embedded-redis.js';

export interface RedisProcess {
  url: string;
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** A redis-server of the test's own, for tests that stop Redis or need other settings. */
export async function startRedisProcess(extraArgs: string[] = [], port?: number): Promise<RedisProcess> {
  const p = port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'ferry-redis-'));
  const child = spawn(
    'redis-server',
    ['--port', String(p), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...extraArgs],
    {
      stdio: 'ignore',
    },
  );
  const url = `redis://127.0.0.1:${p}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    // Refused while redis-server starts: the rejected connect() says so; no "Unhandled error event" print.
    probe.on('error', () => {});
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      break;
    } catch {
      probe.disconnect();
      if (Date.now() > deadline) throw new Error('redis-server did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url,
    port: p,
    child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}
