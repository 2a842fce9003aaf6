/**
 * Upgrades keep what Ferry stored: a newer Ferry reads the pipeline records an older one wrote, and
 * refuses plainly (FERRY_ERR_PIPELINE_RECORD_FORMAT_UNSUPPORTED) a format newer than its own.
 * The fixtures were written by Ferry 0.1.0 (before records carried `format`), through its own
 * RedisPipelineStore (admit, finish) against a real Redis:
 *   test/fixtures/store/pipeline-hash-format-1.json    HGETALL of the pipeline's hash
 *   test/fixtures/store/archived-record-format-1.json  the record as it read it back, which is the
 *                                                     JSON its archive stored (JSON.stringify)
 * Real Redis (FERRY_TEST_REDIS_URL) and a real SQLite archive file.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PipelineRecord } from '@ferry/shared';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteHistoryStore } from '../../packages/server/src/history/sqlite/sqlite-history-store.js';
import { PIPELINE_RECORD_FORMAT } from '../../packages/server/src/store/record-format.js';
import { RedisPipelineStore } from '../../packages/server/src/store/redis/redis-pipeline-store.js';

const fixture = async <T>(name: string): Promise<T> =>
  JSON.parse(await readFile(new URL(`../fixtures/store/${name}`, import.meta.url), 'utf8')) as T;

const redisUrl = process.env.FERRY_TEST_REDIS_URL;
let redis: Redis;
let dir: string;

beforeAll(async () => {
  if (!redisUrl) throw new Error('FERRY_TEST_REDIS_URL is not set: these tests need a real Redis');
  redis = new Redis(redisUrl, { lazyConnect: true });
  await redis.connect();
  dir = await mkdtemp(join(tmpdir(), 'ferry-record-format-'));
});
afterAll(async () => {
  redis?.disconnect();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('stored pipeline records across versions', () => {
  it('Redis: a hash Ferry 0.1.0 wrote reads back whole; a newer format is refused with its code', async () => {
    const hash = await fixture<Record<string, string>>('pipeline-hash-format-1.json');
    const expected = await fixture<PipelineRecord>('archived-record-format-1.json');
    expect(hash.format).toBeUndefined();
    const prefix = `fmt${Date.now().toString(36)}`;
    const store = new RedisPipelineStore(redis, { prefix });
    const key = store.keys.pipeline(expected.id);
    try {
      await redis.hset(key, hash);
      expect(await store.get(expected.id)).toEqual(expected);
      // What this Ferry writes carries its format, and reads back the same.
      await redis.del(key);
      await store.admit({
        pipeline: { ...expected, status: 'queued' },
        dedupKey: expected.id,
        supersede: false,
      });
      expect(await redis.hget(key, 'format')).toBe(String(PIPELINE_RECORD_FORMAT));

      await redis.hset(key, 'format', String(PIPELINE_RECORD_FORMAT + 1));
      await expect(store.get(expected.id)).rejects.toMatchObject({
        code: 'FERRY_ERR_PIPELINE_RECORD_FORMAT_UNSUPPORTED',
        message: expect.stringContaining(`record format ${PIPELINE_RECORD_FORMAT + 1}`),
      });
    } finally {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
    }
  });

  it('archive: a record Ferry 0.1.0 archived reads back whole; a newer format is refused with its code', async () => {
    const expected = await fixture<PipelineRecord>('archived-record-format-1.json');
    const file = join(dir, 'history.sqlite');
    const store = new SqliteHistoryStore(file);
    try {
      await store.putPipeline({ record: expected, seq: 1 });
      const raw = new Database(file);
      const stored = raw.prepare('select record from pipelines where id = ?').get(expected.id) as {
        record: string;
      };
      expect(JSON.parse(stored.record)).toMatchObject({ format: PIPELINE_RECORD_FORMAT, id: expected.id });

      // The row as 0.1.0 wrote it: the record's JSON, no format.
      raw.prepare('update pipelines set record = ? where id = ?').run(JSON.stringify(expected), expected.id);
      expect(await store.get(expected.id)).toEqual(expected);
      const [listed] = await store.list({}, 10);
      const { manifests: _, ...withoutManifests } = expected;
      expect(listed?.record).toEqual(withoutManifests);

      raw
        .prepare('update pipelines set record = ? where id = ?')
        .run(JSON.stringify({ ...expected, format: PIPELINE_RECORD_FORMAT + 1 }), expected.id);
      raw.close();
      await expect(store.get(expected.id)).rejects.toMatchObject({
        code: 'FERRY_ERR_PIPELINE_RECORD_FORMAT_UNSUPPORTED',
      });
    } finally {
      await store.close();
    }
  });
});
