import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { FerryError, ServerErrors } from '@ferry/shared';

export interface EmbeddedRedis {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedRedisOptions {
  dataDir: string;
  /** Port to listen on; 0 picks a free one. */
  port?: number;
  signal?: AbortSignal;
}

/**
 * Starts a redis-server for the embedded default (no Redis configured): loopback only,
 * append-only persistence in `dataDir` so a restart loses nothing, and the `noeviction`
 * policy BullMQ needs.
 */
export async function startEmbeddedRedis(options: EmbeddedRedisOptions): Promise<EmbeddedRedis> {
  const dir = resolve(options.dataDir);
  mkdirSync(dir, { recursive: true });
  const port = options.port && options.port > 0 ? options.port : await freePort();
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--appendonly',
    'yes',
    '--save',
    '',
    '--maxmemory-policy',
    'noeviction',
    '--protected-mode',
    'yes',
  ];
  // A process group of its own: Ctrl-C in a terminal signals the whole foreground group, and Redis
  // must outlive Ferry's drain (Ferry stops it last), not die with the keypress.
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  await waitForReady(child, options.signal);
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () => stopChild(child),
  };
}

function waitForReady(child: ChildProcess, signal?: AbortSignal): Promise<void> {
  return new Promise((resolveReady, reject) => {
    let output = '';
    const fail = (reason: string) => {
      cleanup();
      child.kill('SIGKILL');
      reject(new FerryError(ServerErrors.REDIS_EMBEDDED_FAILED, { reason }));
    };
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
      if (output.includes('Ready to accept connections')) {
        cleanup();
        resolveReady();
      }
    };
    const onError = (err: NodeJS.ErrnoException) =>
      fail(
        err.code === 'ENOENT'
          ? 'redis-server is not installed (apt-get install -y redis-server)'
          : err.message,
      );
    const onExit = (code: number | null) =>
      fail(`redis-server exited with ${code}: ${output.trim().slice(-500)}`);
    const onAbort = () => fail('aborted');
    const timer = setTimeout(() => fail('not ready within 10 s'), 10_000);
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('error', onError);
      child.off('exit', onExit);
      signal?.removeEventListener('abort', onAbort);
      child.stdout?.resume();
      child.stderr?.resume();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', onError);
    child.once('exit', onExit);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    child.kill('SIGTERM');
  });
}

export function freePort(): Promise<number> {
  return new Promise((done, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => done(port));
    });
  });
}
