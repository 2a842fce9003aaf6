import { randomSha } from '@ferry/doubles/gitlab';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaticEnvironmentMap } from '../../packages/server/src/pipeline/environment-map.js';
import type { TestFerry } from '../support/ferry.js';
import { pushPipeline, rule, startApiFerry, until } from './api-support.js';

// The README badge of a project's environment: real HTTP to a Ferry on the test Redis, pipelines
// from webhooks through the noop executor (every stage succeeds).
describe('GET /badges/<project>/<env>.svg', () => {
  let t: TestFerry;
  const environments = new StaticEnvironmentMap([rule('test', 'test'), rule('prod', 'master')]);
  beforeAll(async () => {
    // Anonymous API reads off: badges are read without a token all the same.
    t = await startApiFerry({ environments, anonymousRead: false });
  });
  afterAll(async () => t.close());

  async function badge(path: string): Promise<{ status: number; type: string | null; body: string }> {
    const res = await fetch(`${t.url}/badges/${path}`);
    return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
  }

  it('is grey "not deployed" for an environment without pipelines and for a project Ferry does not know', async () => {
    const unknown = await badge('nobody/knows/test.svg');
    expect(unknown.status).toBe(200);
    expect(unknown.type).toBe('image/svg+xml; charset=utf-8');
    expect(unknown.body).toContain('<title>test: not deployed</title>');
    const sha = randomSha();
    await until(t, await pushPipeline(t, { projectId: 71, path: 'team/badged', sha }), ['success']);
    expect((await badge('team/badged/prod.svg')).body).toContain('<title>prod: not deployed</title>');
  });

  it('shows the deployed commit and that the last pipeline passed, by path or by id, without a token', async () => {
    const sha = randomSha();
    await until(t, await pushPipeline(t, { projectId: 72, path: 'team/shown', sha }), ['success']);
    for (const path of ['team/shown/test.svg', '72/test.svg']) {
      const b = await badge(path);
      expect(b.body).toContain(`<title>test: ${sha.slice(0, 8)} passed</title>`);
      expect(b.body).toContain('fill="#4c1"');
    }
    // The API itself still wants a token.
    expect((await fetch(`${t.url}/api/v1/pipelines`)).status).toBe(401);
  });

  it('escapes what it shows: a hostile environment name comes out as text', async () => {
    const b = await badge(`team/shown/${encodeURIComponent('<script>"&\'')}.svg`);
    expect(b.status).toBe(200);
    expect(b.body).not.toContain('<script>');
    expect(b.body).toContain('<title>&lt;script&gt;&quot;&amp;&#39;: not deployed</title>');
  });

  it('answers 404 for a path that is not <project>/<env>.svg', async () => {
    expect((await badge('team-only.svg')).status).toBe(404);
    expect((await badge('team/shown/test.png')).status).toBe(404);
  });
});

describe('badges.enabled: false', () => {
  let t: TestFerry;
  beforeAll(async () => {
    t = await startApiFerry({ config: { badges: { enabled: false } } });
  });
  afterAll(async () => t.close());

  it('serves no badge', async () => {
    expect((await fetch(`${t.url}/badges/team/shown/test.svg`)).status).toBe(404);
  });
});
