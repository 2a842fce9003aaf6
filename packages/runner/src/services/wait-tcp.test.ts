import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseTcpService } from './wait-command.js';
import { waitTcp } from './wait-tcp.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

function listen(): Promise<number> {
  const listening = createServer((socket) => socket.end());
  server = listening;
  return new Promise((resolve) =>
    listening.listen(0, '127.0.0.1', () => resolve((listening.address() as { port: number }).port)),
  );
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('waitTcp', () => {
  it('reports ready services and names the ones that never accepted with their last error', async () => {
    const open = await listen();
    const closed = await freePort();
    const ready: string[] = [];
    const late = await waitTcp(
      [
        { name: 'redis', port: open },
        { name: 'postgres', port: closed },
      ],
      { timeoutMs: 300, intervalMs: 50, onReady: (s) => ready.push(s.name) },
      new AbortController().signal,
    );
    expect(ready).toEqual(['redis']);
    expect(late).toEqual([{ service: { name: 'postgres', port: closed }, lastError: 'ECONNREFUSED' }]);
  });

  it('waits for a port that opens later', async () => {
    const port = await freePort();
    setTimeout(() => {
      server = createServer((socket) => socket.end()).listen(port, '127.0.0.1');
    }, 100);
    const late = await waitTcp(
      [{ name: 'redis', port }],
      { timeoutMs: 30_000, intervalMs: 20, onReady: () => {} },
      new AbortController().signal,
    );
    expect(late).toEqual([]);
  });
});

describe('parseTcpService', () => {
  it.each([
    ['redis=6379', { name: 'redis', port: 6379 }],
    ['pg-1=5432', { name: 'pg-1', port: 5432 }],
    ['redis=0', undefined],
    ['redis=70000', undefined],
    ['Redis=1', undefined],
    ['redis', undefined],
  ])('%j', (text, parsed) => expect(parseTcpService(text)).toEqual(parsed));
});
