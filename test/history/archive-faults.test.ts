import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { liveKeys } from '../../packages/server/src/history/redis/redis-live-keys.js';
import { RedisPipelineStore } from '../../packages/server/src/store/redis/redis-pipeline-store.js';
import { api, pushPipeline, until } from '../api/api-support.js';
import { eventually, startTestFerry, type TestFerry } from '../support/ferry.js';
import { freshPostgresDatabase, type HistoryKind, historyConfig, historyKinds } from '../support/history.js';
import { connectTestRedis } from '../support/services.js';
import { TcpRelay } from '../support/tcp-relay.js';
import { finishedPipeline } from './records.js';

/** An archive that can be taken away and given back: PostgreSQL behind a relay, SQLite behind a blocked path. */
interface Outage {
  config: Record<string, unknown>;
  env: Record<string, string>;
  down(): Promise<void>;
  up(): Promise<void>;
}

async function outage(kind: HistoryKind): Promise<Outage> {
  const common = { archiveAfter: '0s', interval: '1h' };
  if (kind === 'postgres') {
    const url = new URL(await freshPostgresDatabase());
    const relay = new TcpRelay(Number(url.port));
    url.port = String(await relay.up());
    await relay.down();
    return {
      config: { kind, postgres: { url: { env: 'FERRY_TEST_HISTORY_URL' } }, ...common },
      env: { FERRY_TEST_HISTORY_URL: url.toString() },
      down: () => relay.down(),
      up: async () => {
        await relay.up();
      },
    };
  }
  // The SQLite file's directory cannot be created while a plain file stands in its place.
  const blocker = join(mkdtempSync(join(tmpdir(), 'ferry-history-')), 'archive');
  writeFileSync(blocker, '');
  return {
    config: { kind, sqlite: { file: join(blocker, 'history.sqlite') }, ...common },
    env: {},
    down: async () => writeFileSync(blocker, ''),
    up: async () => rmSync(blocker),
  };
}

describe.each(historyKinds)('archive faults on %s', (kind) => {
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

  it('an archive that is down never stops pipelines; archival waits and catches up', async () => {
    const archive = await outage(kind);
    t = await startTestFerry({ config: { history: archive.config }, env: archive.env });
    const ids: string[] = [];
    // Three projects: three lanes, none superseding another.
    for (let i = 0; i < 3; i++) ids.push(await pushPipeline(t, { projectId: 90 + i }));
    for (const id of ids) await until(t, id, ['success']);
    await expect(t.ferry.history.archiver.cycle()).rejects.toMatchObject({
      code: 'FERRY_ERR_HISTORY_UNAVAILABLE',
    });
    // Nothing left Redis: every pipeline is still there and served.
    for (const id of ids) {
      expect(await redis.exists(liveKeys(t.prefix).pipeline(id))).toBe(1);
      expect((await api(t, 'GET', `/pipelines/${id}`)).statusCode).toBe(200);
    }
    const listed = (await api(t, 'GET', '/pipelines')).json();
    expect(listed).toMatchObject({ archive: 'unavailable' });
    expect(listed.items).toHaveLength(3);

    await archive.up();
    await t.ferry.history.archiver.cycle();
    for (const id of ids) {
      expect(await redis.exists(liveKeys(t.prefix).pipeline(id))).toBe(0);
      expect((await api(t, 'GET', `/pipelines/${id}`)).json()).toMatchObject({ id, status: 'success' });
    }
    const metrics = await t.ferry.ctx.metrics.registry.getSingleMetricAsString(
      'ferry_history_archived_total',
    );
    expect(metrics).toMatch(/ferry_history_archived_total 3/);
  });

  it('upgrade: pipelines a Ferry without an archive left in Redis are archived on start', async () => {
    // What a current Ferry leaves: records written by the Redis store alone, under its prefix.
    const prefix = `up${Date.now().toString(36)}`;
    const old = new RedisPipelineStore(redis, { prefix });
    const records = [finishedPipeline({ lane: '99:staging' }), finishedPipeline({ lane: '99:staging' })];
    for (const record of records) {
      const outcome = await old.admit({
        pipeline: { ...record, status: 'queued' },
        dedupKey: record.id,
        supersede: false,
      });
      expect(outcome.kind).toBe('created');
      await old.finish(record.id, record.lane, ['queued'], 'success', { finishedAt: record.finishedAt! });
    }
    const history = await historyConfig(kind, { archiveAfter: '0s' });
    t = await startTestFerry({ config: { history: history.config }, env: history.env, prefix });
    const keys = liveKeys(prefix);
    await eventually(async () => ((await redis.zcard(keys.indexAll)) === 0 ? true : undefined));
    for (const record of records) {
      expect(await t.ferry.history.store.get(record.id)).toMatchObject({ id: record.id, status: 'success' });
    }
  });
});
