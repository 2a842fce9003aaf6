import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PipelineRecord } from '@ferry/shared';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deployments } from '../../packages/server/src/cli/deployments.js';
import { liveKeys } from '../../packages/server/src/history/redis/redis-live-keys.js';
import { api, pushPipeline, until } from '../api/api-support.js';
import { eventually, startTestFerry, type TestFerry } from '../support/ferry.js';
import { historyConfig, historyKinds } from '../support/history.js';
import { connectTestRedis } from '../support/services.js';

/** The whole text download of a stage's log, as a user gets it. */
async function logText(t: TestFerry, id: string, stage: string): Promise<string> {
  const res = await api(t, 'GET', `/pipelines/${id}/stages/${stage}/log?format=text`);
  expect(res.statusCode).toBe(200);
  return res.body;
}

/** Writes a log of `lines` lines to a finished pipeline's stage, as a runner's output would be. */
async function writeLog(t: TestFerry, id: string, stage: string, lines: number): Promise<void> {
  const writer = t.ferry.ctx.logs.writer(id, stage);
  for (let i = 0; i < lines; i++) writer.write('stdout', `${stage} line ${i} ${'x'.repeat(200)}\n`);
  await writer.close();
}

describe.each(historyKinds)('archival to %s', (kind) => {
  let redis: Redis;
  let t: TestFerry | undefined;

  beforeAll(async () => {
    redis = await connectTestRedis();
  });
  afterAll(() => redis.disconnect());
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  /**
   * Waits until the outbox's own reader has read the whole event stream, so it no longer moves the
   * cursor the test sets (a reader still behind would write its older one over it); the last id.
   */
  async function reportingCaughtUp(ferry: TestFerry): Promise<string> {
    const keys = liveKeys(ferry.prefix);
    // The newest entry is read on every poll: an entry added after the first look (a late
    // transition) would otherwise let the reader move its cursor again after the test sets it.
    const newest = async () => (await redis.xrevrange(keys.events, '+', '-', 'COUNT', 1))[0]?.[0] ?? '0-0';
    return eventually(async () => {
      const lastId = await newest();
      return (await redis.get(keys.reportingCursor)) === lastId ? lastId : undefined;
    }, 60_000);
  }

  async function start(extra: Record<string, unknown> = {}): Promise<TestFerry> {
    const history = await historyConfig(kind, { archiveAfter: '0s', interval: '1h', ...extra });
    const ferry = await startTestFerry({ config: { history: history.config }, env: history.env });
    // The test decides when pipelines move: "another replica" holds the archiver's lease, so the
    // archiver's own loop neither cycles nor wakes as pipelines end; cycle() runs one regardless.
    await redis.set(liveKeys(ferry.prefix).archiverLease, 'another-replica', 'PX', 3_600_000);
    await ferry.ferry.history.archiver.cycle();
    return ferry;
  }

  it('moves a finished pipeline and its logs out of Redis; the API serves them the same', async () => {
    t = await start();
    const id = await pushPipeline(t);
    await until(t, id, ['success']);
    await writeLog(t, id, 'build', 3000);
    const before = (await api(t, 'GET', `/pipelines/${id}`)).json() as PipelineRecord;
    const textBefore = await logText(t, id, 'build');
    const listBefore = (await api(t, 'GET', '/pipelines?limit=5')).json();

    // The move may be this cycle's or the start-up cycle's (it runs once at start): either way, moved.
    await t.ferry.history.archiver.cycle();
    const keys = liveKeys(t.prefix);
    expect(await redis.exists(keys.pipeline(id))).toBe(0);
    expect(await redis.zscore(keys.indexAll, id)).toBeNull();
    expect(await redis.exists(keys.log(id, 'build'), keys.logMeta(id, 'build'))).toBe(0);

    expect((await api(t, 'GET', `/pipelines/${id}`)).json()).toEqual(before);
    expect(await logText(t, id, 'build')).toBe(textBefore);
    expect(textBefore.split('\n')).toHaveLength(3001);
    expect((await api(t, 'GET', '/pipelines?limit=5')).json()).toEqual(listBefore);
    // A JSON page and the next from its cursor, as the dashboard reads.
    const first = (await api(t, 'GET', `/pipelines/${id}/stages/build/log?format=json`)).json();
    expect(first.lines.length).toBeGreaterThan(0);
    expect(await t.ferry.history.store.has(id)).toBe(true);
  });

  it('archives pipelines as they end, without waiting for the next interval (an hour away)', async () => {
    const history = await historyConfig(kind, { archiveAfter: '0s', interval: '1h' });
    t = await startTestFerry({ config: { history: history.config }, env: history.env });
    const ferry = t;
    const keys = liveKeys(ferry.prefix);
    // Past the start-up cycle: the loop's next one is an hour away unless pipelines ending wake it.
    await ferry.ferry.history.archiver.cycle();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await pushPipeline(ferry, { projectId: 83 + i }));
    for (const id of ids) {
      await eventually(async () => ((await ferry.ferry.history.store.has(id)) ? true : undefined));
      await eventually(async () => ((await redis.exists(keys.pipeline(id))) === 0 ? true : undefined));
      expect((await api(ferry, 'GET', `/pipelines/${id}`)).json()).toMatchObject({ id, status: 'success' });
    }
  });

  it('with history.logsDir, archived logs are gzip files there and read the same', async () => {
    const logsDir = mkdtempSync(join(tmpdir(), 'ferry-logs-'));
    t = await start({ logsDir });
    const id = await pushPipeline(t, { projectId: 82 });
    await until(t, id, ['success']);
    await writeLog(t, id, 'test', 2000);
    const textBefore = await logText(t, id, 'test');
    await t.ferry.history.archiver.cycle();
    expect(await redis.exists(liveKeys(t.prefix).log(id, 'test'))).toBe(0);
    expect(readdirSync(join(logsDir, id))).toContain('test.ndjson.gz');
    expect(await logText(t, id, 'test')).toBe(textBefore);
    const info = await t.ferry.history.store.logInfo(id, 'test');
    expect(info).toMatchObject({ location: 'dir' });
    expect(info!.storedBytes).toBeLessThan(info!.rawBytes);
  });

  it('the audit trail lists deploys from both stores, and ferry deployments prints them', async () => {
    t = await start();
    const archivedId = await pushPipeline(t, { projectId: 81, branch: 'staging' });
    await until(t, archivedId, ['success']);
    await t.ferry.history.archiver.cycle();
    const liveId = await pushPipeline(t, { projectId: 81, branch: 'staging' });
    await until(t, liveId, ['success']);
    expect(await t.ferry.history.store.has(liveId)).toBe(false);
    const res = await api(t, 'GET', '/deployments?project=81&environment=staging');
    expect(res.statusCode).toBe(200);
    const { items } = res.json() as { items: Array<Record<string, unknown>> };
    expect(items.map((e) => e.pipelineId)).toEqual([liveId, archivedId]);
    expect(items[1]).toMatchObject({
      kind: 'deploy',
      environment: 'staging',
      outcome: 'success',
      project: { id: 81 },
    });
    expect(typeof items[1]?.user).toBe('string');
    expect(items[1]?.sha).toMatch(/^[0-9a-f]{40}$/);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await api(t, 'GET', `/deployments?since=${future}`)).json()).toEqual({ items: [] });
    expect((await api(t, 'GET', '/deployments?since=yesterday')).statusCode).toBe(400);

    const printed: string[] = [];
    const out = { write: (text: string) => printed.push(text) } as unknown as NodeJS.WritableStream;
    const code = await deployments({ server: t.url, project: '81' }, {}, out);
    expect(code).toBe(0);
    const lines = printed.join('').trim().split('\n');
    expect(lines[0]).toMatch(/^when\tenvironment\tproject/);
    expect(lines.slice(1).map((l) => l.split('\t').at(-1))).toEqual([liveId, archivedId]);
  });

  it('lists live and archived pipelines in one order across pages', async () => {
    t = await start();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = await pushPipeline(t, { projectId: 77 });
      await until(t, id, ['success']);
      ids.push(id);
      // The first three are archived, the last two stay live.
      if (i === 2) await t.ferry.history.archiver.cycle();
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 5; page++) {
      const res = (
        await api(t, 'GET', `/pipelines?project=77&limit=2${cursor === undefined ? '' : `&cursor=${cursor}`}`)
      ).json() as { items: PipelineRecord[]; nextCursor?: string };
      seen.push(...res.items.map((p) => p.id));
      cursor = res.nextCursor;
      if (cursor === undefined) break;
    }
    expect(seen).toEqual([...ids].reverse());
  });

  it('a crash between the archive write and the Redis removal repeats the move: one copy, none lost', async () => {
    t = await start();
    const id = await pushPipeline(t, { projectId: 78 });
    const record = await until(t, id, ['success']);
    // The archive confirmed, then the process died before Redis let go.
    await t.ferry.history.store.putPipeline({ record, seq: 1 });
    expect(await redis.exists(liveKeys(t.prefix).pipeline(id))).toBe(1);
    await t.ferry.history.archiver.cycle();
    expect(await redis.exists(liveKeys(t.prefix).pipeline(id))).toBe(0);
    const listed = (await api(t, 'GET', '/pipelines?project=78')).json() as { items: PipelineRecord[] };
    expect(listed.items.map((p) => p.id)).toEqual([id]);
    expect((await t.ferry.history.store.list({ projectId: 78 }, 10)).length).toBe(1);
  });

  it('keeps a finished pipeline in Redis until history.archiveAfter has passed', async () => {
    t = await start({ archiveAfter: '1h' });
    const id = await pushPipeline(t, { projectId: 79 });
    await until(t, id, ['success']);
    expect((await t.ferry.history.archiver.cycle()).archived).toBe(0);
    expect(await redis.exists(liveKeys(t.prefix).pipeline(id))).toBe(1);
  });

  it('trims the event stream to what a consumer has not read, and dedup keys expire', async () => {
    t = await start({ eventsRetention: '0s' });
    const keys = liveKeys(t.prefix);
    const id = await pushPipeline(t, { projectId: 80 });
    await until(t, id, ['success']);
    expect(await redis.xlen(keys.events)).toBeGreaterThan(0);
    const lastId = await reportingCaughtUp(t);
    // Reporting has read nothing yet: the stream keeps it all.
    await redis.set(keys.reportingCursor, '0-1');
    await t.ferry.history.archiver.cycle();
    expect(await redis.xlen(keys.events)).toBeGreaterThan(0);
    // Once it has read everything, the stream keeps only its last read entry.
    await redis.set(keys.reportingCursor, lastId);
    await t.ferry.history.archiver.cycle();
    expect(await redis.xlen(keys.events)).toBeLessThanOrEqual(1);
    const dedup = await redis.keys(`${t.prefix}:dedup:*`);
    expect(dedup.length).toBeGreaterThan(0);
    for (const key of dedup) expect(await redis.ttl(key)).toBeGreaterThan(0);
  });

  it('caps the event stream at history.eventsMaxLength, never cutting what reporting has not read', async () => {
    t = await start({ eventsRetention: '1h', eventsMaxLength: 5 });
    const keys = liveKeys(t.prefix);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await pushPipeline(t, { projectId: 86 + i }));
    for (const id of ids) await until(t, id, ['success']);
    const length = await redis.xlen(keys.events);
    expect(length).toBeGreaterThan(12);
    await reportingCaughtUp(t);
    // Reporting has read nothing: within eventsRetention and unread, every entry stays.
    await redis.set(keys.reportingCursor, '0-1');
    await t.ferry.history.archiver.cycle();
    expect(await redis.xlen(keys.events)).toBe(length);
    // Reporting is further behind than the cap (seven unread): what it read goes, what it did not stays.
    const behind = await redis.xrevrange(keys.events, '+', '-', 'COUNT', 8);
    await redis.set(keys.reportingCursor, behind[7]![0]);
    await t.ferry.history.archiver.cycle();
    expect((await redis.xrange(keys.events, '-', '+')).map(([id]) => id)).toEqual(
      behind
        .slice(0, 7)
        .map(([id]) => id)
        .reverse(),
    );
    // Read all but the last two: the newest five stay (three read, two not).
    const newest = await redis.xrevrange(keys.events, '+', '-', 'COUNT', 3);
    await redis.set(keys.reportingCursor, newest[2]![0]);
    await t.ferry.history.archiver.cycle();
    const kept = await redis.xrange(keys.events, '-', '+');
    expect(kept).toHaveLength(5);
    expect(kept.slice(-2).map(([id]) => id)).toEqual([newest[1]![0], newest[0]![0]]);
  });
});
