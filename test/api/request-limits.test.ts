import net from 'node:net';
import { buildPushHook } from '@ferry/doubles/gitlab';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaticEnvironmentMap } from '../../packages/server/src/pipeline/environment-map.js';
import type { TestFerry } from '../support/ferry.js';
import { testWebhookSecret } from '../support/ferry.js';
import { apiTokens, rule, startApiFerry } from './api-support.js';

/** Opens a raw connection to Ferry and resolves when the server closes it, with what it sent. */
function rawConnection(url: string): { socket: net.Socket; closed: Promise<string> } {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  let received = '';
  socket.on('data', (d) => {
    received += d.toString('utf8');
  });
  socket.on('error', () => {});
  const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(received)));
  return { socket, closed };
}

describe('request limits and hostile text at intake (issue 12)', () => {
  let t: TestFerry;
  beforeAll(async () => {
    t = await startApiFerry({
      worker: false,
      environments: new StaticEnvironmentMap([rule('test', 'test')]),
      config: { server: { requestTimeoutMs: 1500, headersTimeoutMs: 1000, maxConnectionsPerClient: 5 } },
    });
  });
  afterAll(async () => t.close());

  it('a lone surrogate in a commit title is stored as U+FFFD, never a 503 that GitLab retries forever', async () => {
    const hook = buildPushHook({
      branch: 'test',
      commitMessage: 'TITLE-PLACEHOLDER',
      project: { id: 7001, pathWithNamespace: 'g/surrogate' },
    });
    // JSON may carry a lone surrogate as an escape; GitLab forwards what a client sent.
    const body = JSON.stringify(hook).replaceAll('TITLE-PLACEHOLDER', 'fix \\ud800 login\\n\\nbody \\udfff');
    const res = await fetch(`${t.url}/webhooks/gitlab`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-gitlab-token': testWebhookSecret,
        'x-gitlab-event': 'Push Hook',
      },
      body,
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const { pipelineId } = (await res.json()) as { pipelineId: string };
    const stored = await t.ferry.ctx.store.get(pipelineId);
    expect(stored?.commitTitle).toBe('fix \ufffd login');
  });

  it('a body trickling a byte at a time is cut at the request timeout (408), not held open', async () => {
    const { socket, closed } = rawConnection(t.url);
    socket.write(
      'POST /webhooks/gitlab HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        `X-Gitlab-Token: ${testWebhookSecret}\r\nContent-Length: 100000\r\n\r\n{`,
    );
    const trickle = setInterval(() => socket.write(' '), 200);
    const started = Date.now();
    const answer = await closed;
    clearInterval(trickle);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    // The bound is 1.5 s, checked every second: far from the 130 s the game day saw.
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('headers that never finish are cut too', async () => {
    const { socket, closed } = rawConnection(t.url);
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    const trickle = setInterval(() => socket.write('X-A: b\r\n'), 200);
    await closed;
    clearInterval(trickle);
    expect(socket.destroyed).toBe(true);
  });

  it('one client address holds at most maxConnectionsPerClient connections; the next is closed at once', async () => {
    const held = Array.from({ length: 5 }, () => rawConnection(t.url));
    await Promise.all(held.map(({ socket }) => new Promise((r) => socket.once('connect', r))));
    // Each held connection is open: a request on it is answered.
    const extra = rawConnection(t.url);
    extra.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await extra.closed).toBe('');
    for (const { socket } of held) socket.destroy();
    await Promise.all(held.map(({ closed }) => closed));
    const res = await fetch(`${t.url}/healthz`);
    expect(res.status).toBe(200);
  });

  it('keeps a short, safe client request id and never echoes a secret as one', async () => {
    const ok = await fetch(`${t.url}/healthz`, { headers: { 'x-request-id': 'req-1234.abc_x' } });
    expect(ok.headers.get('x-request-id')).toBe('req-1234.abc_x');
    for (const hostile of [
      testWebhookSecret,
      apiTokens.admin.value,
      'a'.repeat(65),
      'id with spaces',
      'id\u00e9',
    ]) {
      const res = await fetch(`${t.url}/healthz`, { headers: { 'x-request-id': encodeURI(hostile) } });
      const echoed = res.headers.get('x-request-id');
      expect(echoed).not.toBe(hostile);
      expect(echoed).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
