/**
 * The pod network's relay (pods/network/relay.mjs) on loopback, no pod: what a routed TCP path
 * delivers, it delivers: a half-closed client's whole answer at a slow reader's pace, and a reset as
 * a reset.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { relay } from './pods/network/relay.mjs';

const HALF_OPEN = { allowHalfOpen: true } as const;
const servers: Server[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function listening(server: Server, at: string | number): Promise<string | number> {
  servers.push(server);
  await new Promise<void>((resolve) =>
    typeof at === 'string' ? server.listen(at, resolve) : server.listen(at, '127.0.0.1', resolve),
  );
  return typeof at === 'string' ? at : (server.address() as AddressInfo).port;
}

/**
 * origin (TCP) ← host hop ← unix socket ← pod hop ← client (TCP), as pod-network.ts and
 * forwarder.mjs carry a pod's connection; returns the port the client connects to.
 */
async function twoHops(origin: number, failures: string[]): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'relay-test-'));
  dirs.push(dir);
  const sock = await listening(
    createServer(HALF_OPEN, (fromPod) =>
      relay(fromPod, connect({ host: '127.0.0.1', port: origin, ...HALF_OPEN }), (side, err) =>
        failures.push(`host ${side} ${(err as NodeJS.ErrnoException).code}`),
      ),
    ),
    join(dir, 'e1.sock'),
  );
  return (await listening(
    createServer(HALF_OPEN, (client) =>
      relay(client, connect({ path: String(sock), ...HALF_OPEN }), (side, err) =>
        failures.push(`pod ${side} ${(err as NodeJS.ErrnoException).code}`),
      ),
    ),
    0,
  )) as number;
}

/** Reads everything a socket gets, pausing 20 ms after every 256 KB; says how it ended. */
function slowRead(socket: Socket): Promise<{ bytes: Buffer; how: string }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let got = 0;
    let pauseAt = 256 * 1024;
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      got += chunk.length;
      if (got >= pauseAt) {
        pauseAt += 256 * 1024;
        socket.pause();
        setTimeout(() => socket.resume(), 20);
      }
    });
    socket.on('end', () => resolve({ bytes: Buffer.concat(chunks), how: 'end' }));
    socket.on('error', (err: NodeJS.ErrnoException) =>
      resolve({ bytes: Buffer.concat(chunks), how: err.code ?? err.message }),
    );
  });
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('the pod network relay', () => {
  it.each([1, 2, 3])(
    'a client that ends its side after the request reads the whole 8 MB answer, slowly (round %i)',
    async () => {
      const answer = randomBytes(8 * 1024 * 1024);
      const origin = await listening(
        createServer(HALF_OPEN, (s) => {
          s.on('error', () => undefined);
          // Answers once the request is whole (its end), as a server reading to EOF does.
          s.resume().on('end', () => s.end(answer));
        }),
        0,
      );
      const failures: string[] = [];
      const port = await twoHops(origin as number, failures);
      const client = connect({ host: '127.0.0.1', port, ...HALF_OPEN });
      client.end('GET /blob\n');
      const { bytes, how } = await slowRead(client);
      expect(how).toBe('end');
      expect(bytes.length).toBe(answer.length);
      expect(sha(bytes)).toBe(sha(answer));
      expect(failures).toEqual([]);
    },
  );

  it('a reset on one side resets the other (a failed connection, not a clean end), and says so', async () => {
    const first = randomBytes(1024 * 1024);
    const origins: Socket[] = [];
    const origin = await listening(
      createServer(HALF_OPEN, (s) => {
        s.on('error', () => undefined);
        origins.push(s);
        s.once('data', () => s.write(first));
      }),
      0,
    );
    const failures: string[] = [];
    const port = (await listening(
      createServer(HALF_OPEN, (client) =>
        relay(client, connect({ host: '127.0.0.1', port: origin as number, ...HALF_OPEN }), (side, err) =>
          failures.push(`${side} ${(err as NodeJS.ErrnoException).code}`),
        ),
      ),
      0,
    )) as number;
    const client = connect({ host: '127.0.0.1', port, ...HALF_OPEN });
    let got = 0;
    const ended = new Promise<string>((resolve) => {
      client.on('end', () => resolve('end'));
      client.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
    client.on('data', (chunk: Buffer) => {
      got += chunk.length;
      // Everything sent came through: now the origin resets (a server that crashed, a proxy's RST).
      if (got === first.length) origins[0]?.resetAndDestroy();
    });
    client.write('GET /blob\n');
    expect(await ended).toBe('ECONNRESET');
    expect(failures).toEqual(['b ECONNRESET']);
  });
});
