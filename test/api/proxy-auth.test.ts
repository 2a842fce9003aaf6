import type { PipelineRecord } from '@ferry/shared';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaticEnvironmentMap } from '../../packages/server/src/pipeline/environment-map.js';
import type { TestFerry } from '../support/ferry.js';
import { apiTokens, bearer, errorCode, pushPipeline, rule, startApiFerry } from './api-support.js';

const environments = new StaticEnvironmentMap([rule('test', 'test')]);

const proxy = {
  header: 'X-Forwarded-User',
  trustedProxies: ['127.0.0.1', '::1', '10.20.0.0/16'],
  users: { alice: 'deployer', carol: 'viewer', 'ops@example.com': 'admin' },
};

const trustedPeer = '10.20.3.4';
const untrustedPeer = '192.0.2.10';

interface Call {
  from?: string;
  user?: string;
  headers?: Record<string, string>;
  payload?: Record<string, unknown>;
}

/** A request through `inject()` from the socket peer `from`, naming `user` in the proxy header. */
function call(
  t: TestFerry,
  method: 'GET' | 'POST',
  url: string,
  c: Call = {},
): Promise<LightMyRequestResponse> {
  return t.ferry.app.inject({
    method,
    url: `/api/v1${url}`,
    remoteAddress: c.from ?? trustedPeer,
    headers: { ...(c.user === undefined ? {} : { 'x-forwarded-user': c.user }), ...c.headers },
    ...(c.payload === undefined ? {} : { payload: c.payload }),
  });
}

describe('sign-in by a reverse-proxy header (anonymous reads on)', () => {
  let t: TestFerry;
  beforeAll(async () => {
    // fastify's trustProxy is on too: request.ip then follows X-Forwarded-For, the proxy check must not.
    t = await startApiFerry({ environments, worker: false, proxy, config: { server: { trustProxy: true } } });
  });
  afterAll(async () => t.close());

  it('signs in the user a trusted proxy names, with the mapped role', async () => {
    for (const from of [trustedPeer, '127.0.0.1', '::ffff:127.0.0.1', '::1']) {
      const me = await call(t, 'GET', '/me', { from, user: 'alice' });
      expect(me.json(), from).toEqual({
        authenticated: true,
        name: 'alice',
        role: 'deployer',
        via: 'proxy',
        anonymousRead: true,
      });
    }
  });

  it('lets a proxy user with a writing role write, recorded by name', async () => {
    const id = await pushPipeline(t, { projectId: 71 });
    const cancel = await call(t, 'POST', `/pipelines/${id}/cancel`, { user: 'alice' });
    expect(cancel.statusCode, cancel.body).toBe(200);
    expect((cancel.json() as PipelineRecord).reason).toContain('alice');
    const trigger = await call(t, 'POST', '/pipelines', {
      user: 'ops@example.com',
      payload: { project: 'g/p71', ref: 'test' },
    });
    expect(trigger.statusCode, trigger.body).toBe(201);
  });

  it('refuses a write to a proxy user whose role only reads', async () => {
    const id = await pushPipeline(t, { projectId: 72 });
    const res = await call(t, 'POST', `/pipelines/${id}/cancel`, { user: 'carol' });
    expect([res.statusCode, errorCode(res)]).toEqual([403, 'FERRY_ERR_API_FORBIDDEN']);
    expect(res.json().error.message).toBe(
      'User carol (signed in by the proxy) has role viewer; this action needs deployer.',
    );
    expect((await t.ferry.ctx.store.get(id))?.status).toBe('queued');
  });

  it('ignores the header from an untrusted peer: anonymous, never elevated', async () => {
    const id = await pushPipeline(t, { projectId: 73 });
    const spoofs: Call[] = [
      { from: untrustedPeer, user: 'alice' },
      { from: '127.0.0.2', user: 'ops@example.com' },
      { from: '::ffff:192.0.2.10', user: 'alice' },
      // X-Forwarded-For names a trusted address; only the socket peer counts.
      { from: untrustedPeer, user: 'alice', headers: { 'x-forwarded-for': '127.0.0.1' } },
      {
        from: untrustedPeer,
        user: 'alice',
        headers: { 'x-forwarded-for': trustedPeer, forwarded: 'for=127.0.0.1' },
      },
    ];
    for (const spoof of spoofs) {
      const label = JSON.stringify(spoof);
      expect((await call(t, 'GET', '/me', spoof)).json(), label).toEqual({
        authenticated: false,
        anonymousRead: true,
      });
      const write = await call(t, 'POST', `/pipelines/${id}/cancel`, spoof);
      expect([write.statusCode, errorCode(write)], label).toEqual([401, 'FERRY_ERR_API_UNAUTHENTICATED']);
    }
    // A hostile value from an untrusted peer is ignored too, not refused: it is not Ferry's to read.
    const hostile = await call(t, 'GET', '/me', { from: untrustedPeer, user: '<script>alert(1)</script>' });
    expect(hostile.statusCode).toBe(200);
    expect((await t.ferry.ctx.store.get(id))?.status).toBe('queued');
  });

  it('refuses a hostile value from a trusted proxy with 400, without echoing it', async () => {
    const hostile = [
      '<script>alert(1)</script>',
      'alice, ops@example.com',
      'a'.repeat(129),
      '../../etc/passwd',
    ];
    for (const user of hostile) {
      const res = await call(t, 'GET', '/me', { user });
      expect([res.statusCode, errorCode(res)], user).toEqual([400, 'FERRY_ERR_API_PROXY_USER_INVALID']);
      expect(res.body).not.toContain(user);
      expect(res.body).not.toContain('<');
    }
  });

  it('refuses a user with no role with 403 and its own code', async () => {
    const res = await call(t, 'GET', '/pipelines', { user: 'mallory' });
    expect([res.statusCode, errorCode(res)]).toEqual([403, 'FERRY_ERR_API_PROXY_USER_NO_ROLE']);
    expect(res.json().error.message).toContain('User mallory');
    // Names are matched exactly, as the proxy sends them.
    expect(errorCode(await call(t, 'GET', '/me', { user: 'Alice' }))).toBe(
      'FERRY_ERR_API_PROXY_USER_NO_ROLE',
    );
  });

  it('treats a trusted proxy that names nobody as anonymous', async () => {
    expect((await call(t, 'GET', '/me')).json()).toEqual({ authenticated: false, anonymousRead: true });
    expect((await call(t, 'GET', '/me', { user: '' })).json()).toEqual({
      authenticated: false,
      anonymousRead: true,
    });
  });

  it('lets a bearer token take precedence over the proxy header', async () => {
    const me = await call(t, 'GET', '/me', { user: 'ops@example.com', headers: bearer('viewer') });
    expect(me.json()).toEqual({
      authenticated: true,
      name: apiTokens.viewer.name,
      role: 'viewer',
      via: 'token',
      anonymousRead: true,
    });
    const id = await pushPipeline(t, { projectId: 74 });
    const write = await call(t, 'POST', `/pipelines/${id}/cancel`, {
      user: 'ops@example.com',
      headers: bearer('viewer'),
    });
    expect([write.statusCode, errorCode(write)]).toEqual([403, 'FERRY_ERR_API_FORBIDDEN']);
    const wrong = await call(t, 'GET', '/me', { user: 'alice', headers: { authorization: 'Bearer nope' } });
    expect([wrong.statusCode, errorCode(wrong)]).toEqual([401, 'FERRY_ERR_API_UNAUTHENTICATED']);
  });

  it('signs in over real HTTP from the loopback proxy', async () => {
    const res = await fetch(`${t.url}/api/v1/me`, { headers: { 'X-Forwarded-User': 'alice' } });
    expect(await res.json()).toMatchObject({ authenticated: true, name: 'alice', via: 'proxy' });
  });
});

describe('sign-in by a reverse-proxy header (anonymous reads off, a default role)', () => {
  let t: TestFerry;
  beforeAll(async () => {
    t = await startApiFerry({
      environments,
      worker: false,
      anonymousRead: false,
      proxy: {
        header: 'Remote-User',
        trustedProxies: [trustedPeer],
        defaultRole: 'viewer',
        users: { alice: 'deployer' },
      },
    });
  });
  afterAll(async () => t.close());

  const remote = (user: string) => ({ 'remote-user': user });

  it('reads as anyone the proxy names (the default role), and asks everyone else for a token', async () => {
    const me = await call(t, 'GET', '/me', { headers: remote('zed') });
    expect(me.json()).toEqual({
      authenticated: true,
      name: 'zed',
      role: 'viewer',
      via: 'proxy',
      anonymousRead: false,
    });
    expect((await call(t, 'GET', '/pipelines', { headers: remote('zed') })).statusCode).toBe(200);
    expect((await call(t, 'GET', '/pipelines')).statusCode).toBe(401);
    const untrusted = await call(t, 'GET', '/pipelines', { from: untrustedPeer, headers: remote('alice') });
    expect([untrusted.statusCode, errorCode(untrusted)]).toEqual([401, 'FERRY_ERR_API_UNAUTHENTICATED']);
  });

  it('reads only the configured header', async () => {
    expect((await call(t, 'GET', '/pipelines', { user: 'alice' })).statusCode).toBe(401);
  });

  it('ignores the header over real HTTP from a peer it does not trust (loopback here)', async () => {
    const res = await fetch(`${t.url}/api/v1/me`, { headers: { 'Remote-User': 'alice' } });
    expect(res.status).toBe(401);
  });

  it('needs the writing role to write', async () => {
    const id = await pushPipeline(t, { projectId: 75 });
    const viewer = await call(t, 'POST', `/pipelines/${id}/cancel`, { headers: remote('zed') });
    expect([viewer.statusCode, errorCode(viewer)]).toEqual([403, 'FERRY_ERR_API_FORBIDDEN']);
    const deployer = await call(t, 'POST', `/pipelines/${id}/cancel`, { headers: remote('alice') });
    expect(deployer.statusCode, deployer.body).toBe(200);
  });
});
