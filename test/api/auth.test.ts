import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaticEnvironmentMap } from '../../packages/server/src/pipeline/environment-map.js';
import type { TestFerry } from '../support/ferry.js';
import { apiTokens, pushPipeline, rule, startApiFerry, type TestRole } from './api-support.js';

const environments = new StaticEnvironmentMap([rule('test', 'test')]);

interface HttpAnswer {
  status: number;
  code: string | undefined;
  body: string;
  challenge: string | null;
}

/** Real HTTP against a listening Ferry. */
async function http(
  t: TestFerry,
  method: 'GET' | 'POST',
  path: string,
  headers: Record<string, string> = {},
  body?: unknown,
): Promise<HttpAnswer> {
  const res = await fetch(`${t.url}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
  } catch {
    code = undefined;
  }
  return { status: res.status, code, body: text, challenge: res.headers.get('www-authenticate') };
}

const as = (role: TestRole) => ({ authorization: `Bearer ${apiTokens[role].value}` });

describe('API auth with anonymous reads on', () => {
  let t: TestFerry;
  let id: string;
  beforeAll(async () => {
    t = await startApiFerry({ environments, worker: false, anonymousRead: true });
    id = await pushPipeline(t, { projectId: 41 });
  });
  afterAll(async () => t.close());

  const reads = () => ['/api/v1/pipelines', `/api/v1/pipelines/${id}`, '/api/v1/openapi.json'];
  const writes = () => [
    { path: `/api/v1/pipelines/${id}/cancel` },
    { path: `/api/v1/pipelines/${id}/retry` },
    { path: `/api/v1/pipelines/${id}/approve` },
    { path: '/api/v1/pipelines', body: { project: 'g/p41', ref: 'test' } },
  ];

  it('serves reads without a token, and to every role', async () => {
    for (const path of reads()) {
      expect((await http(t, 'GET', path)).status, path).toBe(200);
      for (const role of ['viewer', 'deployer', 'admin'] as const) {
        expect((await http(t, 'GET', path, as(role))).status, `${role} ${path}`).toBe(200);
      }
    }
  });

  it('never serves a write without a token: 401 with a Bearer challenge', async () => {
    for (const w of writes()) {
      const res = await http(t, 'POST', w.path, {}, w.body);
      expect([res.status, res.code], w.path).toEqual([401, 'FERRY_ERR_API_UNAUTHENTICATED']);
      expect(res.challenge).toBe('Bearer realm="ferry"');
    }
  });

  it('refuses every write to a viewer with 403, naming the role needed', async () => {
    for (const w of writes()) {
      const res = await http(t, 'POST', w.path, as('viewer'), w.body);
      expect([res.status, res.code], w.path).toEqual([403, 'FERRY_ERR_API_FORBIDDEN']);
      expect(JSON.parse(res.body).error.message).toBe(
        `Token ${apiTokens.viewer.name} has role viewer; this action needs deployer.`,
      );
    }
    expect((await t.ferry.ctx.store.get(id))?.status).toBe('queued');
  });

  it('lets a deployer and an admin write', async () => {
    const trigger = await http(t, 'POST', '/api/v1/pipelines', as('deployer'), {
      project: 'g/p41',
      ref: 'test',
    });
    expect(trigger.status, trigger.body).toBe(201);
    const other = JSON.parse(trigger.body).pipelineId as string;
    expect((await http(t, 'POST', `/api/v1/pipelines/${other}/cancel`, as('admin'))).status).toBe(200);
    expect((await http(t, 'POST', `/api/v1/pipelines/${id}/cancel`, as('deployer'))).status).toBe(200);
    const retried = await http(t, 'POST', `/api/v1/pipelines/${id}/retry`, as('deployer'));
    expect(retried.status).toBe(201);
  });

  it('answers 401 to a wrong or malformed token, even on an open read', async () => {
    const wrong = [
      `Bearer ${apiTokens.deployer.value}x`,
      `Bearer ${apiTokens.deployer.value.slice(0, -1)}`,
      'Bearer not-a-token',
      `Basic ${Buffer.from(`u:${apiTokens.admin.value}`).toString('base64')}`,
      'Bearer',
      `Bearer ${apiTokens.admin.value} extra`,
      apiTokens.admin.value,
    ];
    for (const authorization of wrong) {
      for (const [method, path] of [
        ['GET', '/api/v1/pipelines'],
        ['POST', `/api/v1/pipelines/${id}/retry`],
      ] as const) {
        const res = await http(t, method, path, { authorization });
        expect([res.status, res.code], `${authorization} ${path}`).toEqual([
          401,
          'FERRY_ERR_API_UNAUTHENTICATED',
        ]);
        expect(res.challenge).toContain('error="invalid_token"');
        for (const token of Object.values(apiTokens)) expect(res.body).not.toContain(token.value);
      }
    }
  });

  it('accepts the scheme in any case', async () => {
    const res = await http(t, 'GET', '/api/v1/pipelines', {
      authorization: `bearer ${apiTokens.viewer.value}`,
    });
    expect(res.status).toBe(200);
  });

  it('checks who calls before reading the input', async () => {
    const bad = { project: 'g/p41', ref: 'test', unexpected: true };
    expect((await http(t, 'POST', '/api/v1/pipelines', {}, bad)).status).toBe(401);
    expect((await http(t, 'POST', '/api/v1/pipelines', as('viewer'), bad)).status).toBe(403);
    expect((await http(t, 'POST', '/api/v1/pipelines', as('deployer'), bad)).status).toBe(400);
  });

  it('leaves webhooks and health to their own rules', async () => {
    expect((await http(t, 'GET', '/healthz')).status).toBe(200);
    const hook = await http(
      t,
      'POST',
      '/webhooks/gitlab',
      { ...as('admin'), 'x-gitlab-event': 'Push Hook' },
      {},
    );
    expect(hook.status).toBe(401);
    expect(hook.code).not.toBe('FERRY_ERR_API_UNAUTHENTICATED');
  });
});

describe('API auth with anonymous reads off', () => {
  let t: TestFerry;
  let id: string;
  beforeAll(async () => {
    t = await startApiFerry({ environments, worker: false, anonymousRead: false });
    id = await pushPipeline(t, { projectId: 42 });
  });
  afterAll(async () => t.close());

  it('needs a token for every read', async () => {
    for (const path of ['/api/v1/pipelines', `/api/v1/pipelines/${id}`, '/api/v1/openapi.json']) {
      const res = await http(t, 'GET', path);
      expect([res.status, res.code], path).toEqual([401, 'FERRY_ERR_API_UNAUTHENTICATED']);
      expect((await http(t, 'GET', path, as('viewer'))).status, path).toBe(200);
    }
    // An unknown route is still a 404, not a hint about auth.
    expect((await http(t, 'GET', '/api/v1/nothing')).status).toBe(404);
  });

  it('documents the bearer requirement on every operation', async () => {
    const doc = JSON.parse((await http(t, 'GET', '/api/v1/openapi.json', as('viewer'))).body) as {
      paths: Record<string, Record<string, { security: unknown }>>;
    };
    for (const ops of Object.values(doc.paths)) {
      for (const op of Object.values(ops)) expect(op.security).toEqual([{ bearerAuth: [] }]);
    }
  });
});

describe('API auth with no tokens configured', () => {
  let t: TestFerry;
  beforeAll(async () => {
    t = await startApiFerry({ environments, worker: false, anonymousRead: true, config: { auth: {} } });
  });
  afterAll(async () => t.close());

  it('serves open reads and refuses every write', async () => {
    expect((await http(t, 'GET', '/api/v1/pipelines')).status).toBe(200);
    const res = await http(t, 'POST', '/api/v1/pipelines', as('admin'), { project: 'x', ref: 'test' });
    expect([res.status, res.code]).toEqual([401, 'FERRY_ERR_API_UNAUTHENTICATED']);
  });
});
