import type { PipelineRecord } from '@ferry/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaticEnvironmentMap } from '../../packages/server/src/pipeline/environment-map.js';
import type { TestFerry } from '../support/ferry.js';
import { api, errorCode, pushPipeline, rule, startApiFerry } from './api-support.js';

interface Page {
  items: PipelineRecord[];
  nextCursor?: string;
}

describe('GET /api/v1/pipelines and /pipelines/:id', () => {
  let t: TestFerry;
  /** Creation order, oldest first. */
  const created: Array<{ id: string; projectId: number; environment: string }> = [];
  const canceled = new Set<string>();

  beforeAll(async () => {
    // No worker: every pipeline stays queued unless the test cancels it, so statuses are known.
    t = await startApiFerry({
      worker: false,
      environments: new StaticEnvironmentMap([rule('test', 'test'), rule('staging', 'staging')]),
    });
    const plan: Array<[number, string]> = [
      ...Array.from({ length: 6 }, () => [11, 'test'] as [number, string]),
      ...Array.from({ length: 4 }, () => [11, 'staging'] as [number, string]),
      ...Array.from({ length: 5 }, () => [12, 'test'] as [number, string]),
    ];
    // Interleave projects and environments so pages cut across them.
    plan.sort((a, b) => ((a[0] * 7 + a[1].length) % 5) - ((b[0] * 7 + b[1].length) % 5));
    for (const [projectId, branch] of plan) {
      const path = projectId === 11 ? 'team/alpha' : 'team/beta';
      const id = await pushPipeline(t, { projectId, path, branch });
      created.push({ id, projectId, environment: branch });
    }
    for (const c of [created[1], created[7], created[12]]) {
      const res = await api(t, 'POST', `/pipelines/${c!.id}/cancel`, { as: 'deployer' });
      expect(res.statusCode).toBe(200);
      canceled.add(c!.id);
    }
  });
  afterAll(async () => t.close());

  /** Follows nextCursor to the end and returns every id seen, in order. */
  async function everyPage(query: string, limit: number): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const sep = query === '' ? '' : '&';
      const url = `/pipelines?${query}${sep}limit=${limit}${cursor === undefined ? '' : `&cursor=${cursor}`}`;
      const res = await api(t, 'GET', url);
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json() as Page;
      expect(page.items.length).toBeLessThanOrEqual(limit);
      ids.push(...page.items.map((p) => p.id));
      cursor = page.nextCursor;
      pages++;
      expect(pages).toBeLessThan(100);
    } while (cursor !== undefined);
    return { ids, pages };
  }

  const newestFirst = (pick: (c: (typeof created)[number]) => boolean) =>
    created
      .filter(pick)
      .map((c) => c.id)
      .reverse();

  it('pages through every pipeline newest first: none twice, none missing', async () => {
    for (const limit of [1, 4, 5, 15, 200]) {
      const { ids, pages } = await everyPage('', limit);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual(newestFirst(() => true));
      expect(pages).toBeGreaterThanOrEqual(Math.ceil(created.length / limit));
    }
  });

  it('keeps a walk stable when pipelines arrive between pages', async () => {
    const first = (await api(t, 'GET', '/pipelines?limit=5')).json() as Page;
    const arrived = await pushPipeline(t, { projectId: 13, path: 'team/gamma' });
    const rest: string[] = [];
    let cursor = first.nextCursor;
    while (cursor !== undefined) {
      const page = (await api(t, 'GET', `/pipelines?limit=5&cursor=${cursor}`)).json() as Page;
      rest.push(...page.items.map((p) => p.id));
      cursor = page.nextCursor;
    }
    expect([...first.items.map((p) => p.id), ...rest]).toEqual(newestFirst(() => true));
    const head = (await api(t, 'GET', '/pipelines?limit=1')).json() as Page;
    expect(head.items[0]?.id).toBe(arrived);
    await api(t, 'POST', `/pipelines/${arrived}/cancel`, { as: 'deployer' });
    created.push({ id: arrived, projectId: 13, environment: 'test' });
    canceled.add(arrived);
  });

  it('answers 50 by default, without a cursor when nothing is left', async () => {
    const res = await api(t, 'GET', '/pipelines');
    const page = res.json() as Page;
    expect(page.items).toHaveLength(created.length);
    expect(page.nextCursor).toBeUndefined();
  });

  it('filters by project id and by project path, across pages', async () => {
    const alpha = newestFirst((c) => c.projectId === 11);
    expect((await everyPage('project=11', 3)).ids).toEqual(alpha);
    expect((await everyPage('project=team%2Falpha', 3)).ids).toEqual(alpha);
    expect((await everyPage('project=team/beta', 2)).ids).toEqual(newestFirst((c) => c.projectId === 12));
    expect((await everyPage('project=999', 3)).ids).toEqual([]);
  });

  it('filters by environment, ref and status, and combines filters', async () => {
    expect((await everyPage('environment=staging', 3)).ids).toEqual(
      newestFirst((c) => c.environment === 'staging'),
    );
    expect((await everyPage('ref=test', 4)).ids).toEqual(newestFirst((c) => c.environment === 'test'));
    expect((await everyPage('status=canceled', 2)).ids).toEqual(newestFirst((c) => canceled.has(c.id)));
    expect((await everyPage('status=queued', 5)).ids).toEqual(newestFirst((c) => !canceled.has(c.id)));
    expect((await everyPage('status=success', 5)).ids).toEqual([]);
    expect((await everyPage('project=11&environment=test&status=queued', 2)).ids).toEqual(
      newestFirst((c) => c.projectId === 11 && c.environment === 'test' && !canceled.has(c.id)),
    );
  });

  it('returns each pipeline as stored', async () => {
    const { id } = created[3]!;
    const res = await api(t, 'GET', `/pipelines/${id}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual(JSON.parse(JSON.stringify(await t.ferry.ctx.store.get(id))));
    const listed = (await api(t, 'GET', '/pipelines?limit=200')).json() as Page;
    expect(listed.items.find((p) => p.id === id)).toEqual(res.json());
  });

  it('answers 404 with a code for an unknown pipeline', async () => {
    const res = await api(t, 'GET', '/pipelines/zzzzzzzzzzzz');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: { code: 'FERRY_ERR_PIPELINE_NOT_FOUND', message: 'No pipeline zzzzzzzzzzzz.' },
    });
    for (const action of ['cancel', 'retry', 'approve']) {
      const r = await api(t, 'POST', `/pipelines/zzzzzzzzzzzz/${action}`, { as: 'deployer' });
      expect([r.statusCode, errorCode(r)]).toEqual([404, 'FERRY_ERR_PIPELINE_NOT_FOUND']);
    }
  });
});
