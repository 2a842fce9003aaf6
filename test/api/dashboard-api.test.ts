import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, loadConfig } from '@ferry/shared';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerContext } from '../../packages/server/src/app/server-context.js';
import { StaticEnvironmentMap } from '../../packages/server/src/pipeline/environment-map.js';
import { dashboardRoutes } from '../../packages/server/src/routes/dashboard.js';
import type { TestFerry } from '../support/ferry.js';
import { api, apiTokens, pushPipeline, rule, startApiFerry, until } from './api-support.js';

interface Summary {
  project: { id: number; path: string };
  environment: string;
  deployed?: { id: string; sha: string };
  recent: Array<{ id: string }>;
}

/** Reads server-sent events from a real connection until `want` events of a kind came. */
async function readEvents(
  url: string,
  headers: Record<string, string>,
  until: (events: string[]) => boolean,
) {
  const stop = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: stop.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const events: string[] = [];
  return {
    async next(): Promise<string[]> {
      while (!until(events)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
        let end = text.indexOf('\n\n');
        while (end !== -1) {
          const block = text.slice(0, end);
          text = text.slice(end + 2);
          if (block.includes('event:')) events.push(block);
          end = text.indexOf('\n\n');
        }
      }
      return events;
    },
    close: () => stop.abort(),
  };
}

describe('dashboard API: /me, /environments, /events', () => {
  let t: TestFerry;
  beforeAll(async () => {
    t = await startApiFerry({
      environments: new StaticEnvironmentMap([rule('test', 'test'), rule('prod', 'master')]),
    });
  });
  afterAll(async () => t.close());

  it('says who the caller is, or that it is anonymous', async () => {
    expect((await api(t, 'GET', '/me')).json()).toEqual({ authenticated: false, anonymousRead: true });
    expect((await api(t, 'GET', '/me', { as: 'deployer' })).json()).toEqual({
      authenticated: true,
      name: apiTokens.deployer.name,
      role: 'deployer',
      via: 'token',
      anonymousRead: true,
    });
    const wrong = await api(t, 'GET', '/me', { headers: { authorization: 'Bearer nope' } });
    expect(wrong.statusCode).toBe(401);
  });

  it('summarises what is deployed per project and environment', async () => {
    const first = await pushPipeline(t, { projectId: 301, branch: 'master' });
    await until(t, first, ['success']);
    const second = await pushPipeline(t, { projectId: 301, branch: 'master' });
    await until(t, second, ['success']);
    const other = await pushPipeline(t, { projectId: 302, branch: 'test' });
    await until(t, other, ['success']);

    const res = await api(t, 'GET', '/environments');
    expect(res.statusCode).toBe(200);
    const items = (res.json() as { items: Summary[] }).items.filter((i) => [301, 302].includes(i.project.id));
    // Configured order: test before prod.
    expect(items.map((i) => `${i.environment}:${i.project.id}`)).toEqual(['test:302', 'prod:301']);
    const prod = items[1]!;
    expect(prod.deployed?.id).toBe(second);
    expect(prod.recent.map((p) => p.id)).toEqual([second, first]);

    const one = await api(t, 'GET', '/environments?project=301&recent=1');
    const only = (one.json() as { items: Summary[] }).items;
    expect(only.map((i) => i.project.id)).toEqual([301]);
    expect(only[0]?.recent).toHaveLength(1);
    expect((await api(t, 'GET', '/environments?recent=0')).statusCode).toBe(400);
  });

  it('streams transitions live, filtered to one pipeline when asked, and resumes after Last-Event-ID', async () => {
    const all = await readEvents(`${t.url}/api/v1/events`, {}, (e) =>
      e.some((x) => x.includes('"status":"success"') && x.includes('"kind":"pipeline"')),
    );
    const ready = await readEvents(`${t.url}/api/v1/events`, {}, (e) => e.length >= 1);
    expect((await ready.next())[0]).toContain('event: ready');
    ready.close();
    // Wait for the first stream to be live before pushing.
    const first = await readEvents(`${t.url}/api/v1/events`, {}, (e) => e.length >= 1);
    await first.next();
    first.close();

    const id = await pushPipeline(t, { projectId: 303 });
    const events = await all.next();
    all.close();
    const mine = events.filter((e) => e.includes(`"id":"${id}"`));
    expect(mine[0]).toContain('"status":"queued"');
    expect(mine.some((e) => e.includes('"kind":"stage"') && e.includes('"stage":"test"'))).toBe(true);
    const cursor = /^id: (\S+)$/m.exec(mine[0]!)?.[1];
    expect(cursor).toMatch(/^\d+-\d+$/);

    // Resume after the first event of this pipeline: the rest is replayed, then `ready`.
    const resumed = await readEvents(
      `${t.url}/api/v1/events?pipeline=${id}`,
      { 'last-event-id': cursor! },
      (e) => e.some((x) => x.includes('event: ready')),
    );
    const replayed = await resumed.next();
    resumed.close();
    expect(replayed.at(-1)).toContain('event: ready');
    expect(replayed.slice(0, -1).every((e) => e.includes(`"id":"${id}"`))).toBe(true);
    expect(replayed.some((e) => e.includes('"status":"queued"'))).toBe(false);
    expect(replayed.some((e) => e.includes('"status":"success"'))).toBe(true);
  });

  it('streams a canary step of a pipeline live, with its number, count and share of traffic', async () => {
    const id = await pushPipeline(t, { projectId: 304 });
    const stream = await readEvents(`${t.url}/api/v1/events?pipeline=${id}`, {}, (e) =>
      e.some((x) => x.includes('"kind":"canary"') && x.includes('"status":"promoted"')),
    );
    // Live before the steps are recorded (the store records them as the deploy runner reports).
    const live = await readEvents(`${t.url}/api/v1/events?pipeline=${id}`, {}, (e) => e.length >= 1);
    await live.next();
    live.close();
    for (const state of ['running', 'promoted'] as const)
      await t.ferry.ctx.store.putCanaryStep(id, {
        step: 1,
        of: 3,
        percent: 10,
        state,
        at: new Date().toISOString(),
      });
    const events = (await stream.next()).filter((e) => e.includes('"kind":"canary"'));
    stream.close();
    const data = events.map((e) => JSON.parse(/^data: (.*)$/m.exec(e)?.[1] ?? '{}'));
    expect(data.map((d) => [d.id, d.step, d.of, d.percent, d.status])).toEqual([
      [id, 1, 3, 10, 'running'],
      [id, 1, 3, 10, 'promoted'],
    ]);
  });

  it('refuses a bad pipeline filter', async () => {
    expect((await api(t, 'GET', '/events?pipeline=NOT_AN_ID')).statusCode).toBe(400);
  });
});

describe('dashboard API without anonymous reads', () => {
  let t: TestFerry;
  beforeAll(async () => {
    t = await startApiFerry({ worker: false, anonymousRead: false });
  });
  afterAll(async () => t.close());

  it('asks for a token on /me, /environments and /events, and names a viewer', async () => {
    for (const url of ['/me', '/environments', '/events'])
      expect((await api(t, 'GET', url)).statusCode, url).toBe(401);
    expect((await api(t, 'GET', '/me', { as: 'viewer' })).json()).toEqual({
      authenticated: true,
      name: apiTokens.viewer.name,
      role: 'viewer',
      via: 'token',
      anonymousRead: false,
    });
  });
});

describe('dashboard pages', () => {
  let t: TestFerry;
  beforeAll(async () => {
    t = await startApiFerry({ worker: false, config: { server: { basePath: '/ferry', trustProxy: true } } });
  });
  afterAll(async () => t.close());

  const page = (url: string, headers: Record<string, string> = {}) =>
    t.ferry.app.inject({ method: 'GET', url, headers });

  it('serves the app at its stable links, with the base path in <base href>', async () => {
    for (const url of [
      '/ferry',
      '/ferry/',
      '/ferry/pipelines',
      '/ferry/pipelines/abc123def',
      '/ferry/environments',
    ]) {
      const res = await page(url);
      // 503 only when the web build is missing (then the message says how to build it).
      expect([200, 503], url).toContain(res.statusCode);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      if (res.statusCode === 200) expect(res.body).toContain('<base href="/ferry/">');
      else expect(res.body).toContain('npm run build');
    }
    expect((await page('/pipelines')).statusCode).toBe(404);
  });

  it('puts a trusted proxy prefix in front of the base path', async () => {
    const res = await page('/ferry/pipelines', { 'x-forwarded-prefix': '/ci' });
    if (res.statusCode === 200) expect(res.body).toContain('<base href="/ci/ferry/">');
    const hostile = await page('/ferry/pipelines', { 'x-forwarded-prefix': '"><script>x</script>' });
    if (hostile.statusCode === 200) expect(hostile.body).toContain('<base href="/ferry/">');
  });
});

describe('dashboard assets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-web-'));
  const app = Fastify();
  const { config } = loadConfig({ env: {} });
  const ctx = {
    config: { ...config, server: { ...config.server, basePath: '/x' } },
    logger: createLogger({ level: 'silent' }),
  } as unknown as ServerContext;

  beforeAll(async () => {
    await app.register(async (scope) => dashboardRoutes(scope, ctx, { assetsDir: dir }), { prefix: '/x' });
  });
  afterAll(async () => app.close());

  it('says how to build the dashboard when the build is missing, then serves it once built', async () => {
    const missing = await app.inject({ method: 'GET', url: '/x/pipelines' });
    expect(missing.statusCode).toBe(503);
    expect(missing.body).toContain('The dashboard is not built');

    mkdirSync(join(dir, 'assets'), { recursive: true });
    writeFileSync(join(dir, 'index.html'), '<html><head><!--ferry:base--></head><body></body></html>');
    writeFileSync(join(dir, 'assets', 'app-1a2b3c.js'), 'console.log(1)');
    const built = await app.inject({ method: 'GET', url: '/x/pipelines/abc123' });
    expect(built.statusCode).toBe(200);
    expect(built.body).toContain('<base href="/x/">');

    const asset = await app.inject({ method: 'GET', url: '/x/assets/app-1a2b3c.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await app.inject({ method: 'GET', url: '/x/assets/../index.html' })).statusCode).not.toBe(200);
  });
});
