import { existsSync } from 'node:fs';
import { loadGitLabFixture } from '@ferry/doubles/gitlab';
import type { PipelineRecord } from '@ferry/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaticEnvironmentMap } from '../../packages/server/src/pipeline/environment-map.js';
import type { TestFerry } from '../support/ferry.js';
import { api, rule, sendPush, startApiFerry } from './api-support.js';

const hostileBranch = 'test$(touch /tmp/x)';

describe('hostile strings through the API', () => {
  let t: TestFerry;
  let id: string;
  const hook = loadGitLabFixture('push-hostile');
  const markerExisted = existsSync('/tmp/x');

  beforeAll(async () => {
    // An operator could name such a branch an environment; Ferry must store and show it as text.
    t = await startApiFerry({
      worker: false,
      environments: new StaticEnvironmentMap([rule('test', hostileBranch)]),
    });
    id = await sendPush(t, hook);
  });
  afterAll(async () => t.close());

  it('returns the stored strings exactly, JSON-encoded and nothing more', async () => {
    const res = await api(t, 'GET', `/pipelines/${id}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const p = res.json() as PipelineRecord;
    expect(p.ref).toBe(hostileBranch);
    // Intake trims the title (first line, 1000 characters); the API returns what was stored.
    expect(p.commitTitle).toContain('<script>alert(1)</script>');
    expect(p.user.name).toBe(hook.user_name);
    // The body is plain JSON of the record: no HTML escaping, no truncation, nothing interpreted.
    expect(res.body).toBe(JSON.stringify(await t.ferry.ctx.store.get(id)));
    if (!markerExisted) expect(existsSync('/tmp/x')).toBe(false);
  });

  it('finds it by its ref, and refuses the name where only environment branches go', async () => {
    const list = await api(t, 'GET', `/pipelines?ref=${encodeURIComponent(hostileBranch)}`);
    expect((list.json() as { items: PipelineRecord[] }).items.map((p) => p.id)).toEqual([id]);
    const none = await api(t, 'GET', `/pipelines?ref=${encodeURIComponent('test$(touch /tmp/y)')}`);
    expect((none.json() as { items: PipelineRecord[] }).items).toEqual([]);
  });

  it('echoes hostile input back only inside JSON strings, capped', async () => {
    const key = `<script>alert(1)</script>\u0000\u202e${'k'.repeat(500)}`;
    const res = await api(t, 'POST', '/pipelines', {
      as: 'deployer',
      payload: { project: 'shop/order-service', ref: hostileBranch, [key]: 1 },
    });
    expect(res.statusCode).toBe(400);
    const message = (res.json() as { error: { message: string } }).error.message;
    expect(message).toContain('<script>alert(1)</script>');
    expect(message.length).toBeLessThan(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
  });
});
