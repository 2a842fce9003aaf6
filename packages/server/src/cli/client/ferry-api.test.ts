import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CliErrors } from '@ferry/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { CliFailure } from './cli-failure.js';
import { FerryApi } from './ferry-api.js';

/** A server on `port` answering every request with `status` and a JSON body. */
function serve(port: number, status: number, body: unknown): Promise<Server> {
  const server = createServer((_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

async function freePort(): Promise<number> {
  const s = await serve(0, 200, {});
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

describe('FerryApi.getPatiently', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  });

  it('rides out a server that is away, then returns its answer', async () => {
    const port = await freePort();
    const api = new FerryApi({ url: `http://127.0.0.1:${port}` });
    // Nothing listens yet: the first tries are refused connections.
    const answer = api.getPatiently<{ id: string }>('/pipelines/p1', AbortSignal.timeout(60_000));
    await new Promise((r) => setTimeout(r, 1500));
    servers.push(await serve(port, 200, { id: 'p1' }));
    await expect(answer).resolves.toEqual({ id: 'p1' });
  });

  it('gives up once the server has stayed away too long: FERRY_ERR_CLI_UNREACHABLE', async () => {
    const port = await freePort();
    const api = new FerryApi({ url: `http://127.0.0.1:${port}` });
    const err = await api.getPatiently('/pipelines/p1', AbortSignal.timeout(60_000), 0).catch((e) => e);
    expect(err).toBeInstanceOf(CliFailure);
    expect((err as CliFailure).code).toBe(CliErrors.CLI_UNREACHABLE.code);
  });

  it('never repeats an answer of the API (a 404 is final)', async () => {
    let requests = 0;
    const server = createServer((_req, res) => {
      requests += 1;
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(
          JSON.stringify({ error: { code: 'FERRY_ERR_PIPELINE_NOT_FOUND', message: 'no such pipeline' } }),
        );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    servers.push(server);
    const api = new FerryApi({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    const err = await api.getPatiently('/pipelines/p1', AbortSignal.timeout(60_000)).catch((e) => e);
    expect((err as CliFailure).code).toBe('FERRY_ERR_PIPELINE_NOT_FOUND');
    expect(requests).toBe(1);
  });

  it('tries a 503 again (a restarting server behind a proxy)', async () => {
    let requests = 0;
    const server = createServer((_req, res) => {
      requests += 1;
      if (requests === 1) res.writeHead(503).end('{}');
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    servers.push(server);
    const api = new FerryApi({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    await expect(api.getPatiently('/x', AbortSignal.timeout(60_000))).resolves.toEqual({ ok: true });
    expect(requests).toBe(2);
  });
});
