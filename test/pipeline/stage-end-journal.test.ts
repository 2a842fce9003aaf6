import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type PipelineRecord, type StageRecord } from '@ferry/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { StageEndEntry } from '../../packages/server/src/pipeline/stage-ends/stage-end-entry.js';
import { StageEndJournal } from '../../packages/server/src/pipeline/stage-ends/stage-end-journal.js';
import { connectRedis } from '../../packages/server/src/redis/connect.js';
import { RedisPipelineStore } from '../../packages/server/src/store/redis/redis-pipeline-store.js';
import { finishedPipeline } from '../history/records.js';
import { type RedisProcess, startRedisProcess } from '../support/redis-process.js';
import { stageEnds } from '../support/stage-ends.js';

const logger = createLogger({ level: 'silent', name: 'test' });

function running(record: PipelineRecord): PipelineRecord {
  return {
    ...record,
    status: 'queued',
    stages: record.stages.map((s) => ({ name: s.name, status: 'pending', attempts: 0 })),
  };
}

describe('stage ends: at most once per attempt, kept while Redis is away', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  });

  async function setup(server: RedisProcess) {
    const redis = connectRedis(server.url, 'requests', {}, () => {});
    cleanups.push(async () => redis.disconnect());
    const prefix = `sej${Date.now().toString(36)}`;
    const store = new RedisPipelineStore(redis, { prefix });
    const record = running(finishedPipeline());
    expect((await store.admit({ pipeline: record, dedupKey: record.id, supersede: false })).kind).toBe(
      'created',
    );
    return { redis, prefix, store, record };
  }

  it('endStage records an attempt once and never over a later attempt', async () => {
    const server = await startRedisProcess(['--maxmemory-policy', 'noeviction']);
    cleanups.push(() => server.stop());
    const { redis, prefix, store, record } = await setup(server);
    const attempt1: StageRecord = { name: 'test', status: 'running', attempts: 1, startedAt: 'a' };
    await store.putStage(record.id, attempt1);
    expect(await store.endStage(record.id, { ...attempt1, status: 'success', finishedAt: 'b' })).toBe(true);
    // The same attempt again (a journal replay, an adopting replica): refused.
    expect(await store.endStage(record.id, { ...attempt1, status: 'failed', finishedAt: 'c' })).toBe(false);
    // A later attempt runs; an end of the earlier attempt arriving late never overwrites it.
    const attempt2: StageRecord = { name: 'build', status: 'running', attempts: 2, startedAt: 'a' };
    await store.putStage(record.id, attempt2);
    expect(await store.endStage(record.id, { ...attempt2, attempts: 1, status: 'failed' })).toBe(false);
    // An attempt a pipeline's end already closed (putStage canceled) cannot end again.
    await store.putStage(record.id, { ...attempt2, status: 'canceled' });
    expect(await store.endStage(record.id, { ...attempt2, status: 'success' })).toBe(false);
    const stored = await store.get(record.id);
    expect(stored?.stages.find((s) => s.name === 'test')?.status).toBe('success');
    expect(stored?.stages.find((s) => s.name === 'build')?.status).toBe('canceled');
    expect(await stageEnds(redis, prefix, record.id)).toEqual(['test:success', 'build:canceled']);
  });

  it('keeps an end while Redis is down and stores it once when Redis returns', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ferry-sej-'));
    const args = ['--maxmemory-policy', 'noeviction', '--appendonly', 'yes', '--appendfsync', 'always'];
    let server = await startRedisProcess([...args, '--dir', dataDir]);
    const port = server.port;
    cleanups.push(() => server.stop());
    const { redis, prefix, store, record } = await setup(server);
    const attempt: StageRecord = {
      name: 'deploy',
      status: 'running',
      attempts: 1,
      startedAt: 'a',
      runnerId: 'r1',
    };
    await store.putStage(record.id, attempt);

    const dir = mkdtempSync(join(tmpdir(), 'ferry-journal-'));
    const settled: string[] = [];
    const journal = new StageEndJournal({
      dir,
      logger,
      apply: (entry) => store.endStage(entry.pipelineId, entry.stage),
      settled: async (entry, ended) => {
        settled.push(`${entry.stage.name}:${ended}`);
      },
      retry: { firstMs: 50, maxMs: 200 },
    });
    cleanups.push(async () => journal.close());
    await server.stop();
    const entry: StageEndEntry = {
      version: 1,
      pipelineId: record.id,
      stage: { ...attempt, status: 'success', finishedAt: 'b' },
      runners: ['r1'],
    };
    const ending = journal.end(entry);
    // Redis is away: the end waits on disk, fsynced.
    const deadline = Date.now() + 5_000;
    while (readdirSync(dir).filter((f) => f.endsWith('.json')).length === 0) {
      if (Date.now() > deadline) throw new Error('no journal entry written');
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 600));
    server = await startRedisProcess([...args, '--dir', dataDir], port);
    expect(await ending).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith('.json'))).toEqual([]);
    expect((await store.get(record.id))?.stages.find((s) => s.name === 'deploy')?.status).toBe('success');
    expect(await stageEnds(redis, prefix, record.id)).toEqual(['deploy:success']);
  });

  it('a shutdown leaves the end on disk; the next Ferry replays it once', async () => {
    const server = await startRedisProcess(['--maxmemory-policy', 'noeviction']);
    const port = server.port;
    cleanups.push(() => server.stop());
    const { redis, prefix, store, record } = await setup(server);
    const attempt: StageRecord = {
      name: 'build',
      status: 'running',
      attempts: 1,
      startedAt: 'a',
      runnerId: 'r9',
    };
    await store.putStage(record.id, attempt);
    const dir = mkdtempSync(join(tmpdir(), 'ferry-journal-'));
    const apply = (entry: StageEndEntry) => store.endStage(entry.pipelineId, entry.stage);
    const first = new StageEndJournal({
      dir,
      logger,
      apply,
      settled: async () => {},
      retry: { firstMs: 50, maxMs: 100 },
    });
    await server.stop();
    const ending = first.end({
      version: 1,
      pipelineId: record.id,
      stage: { ...attempt, status: 'failed' },
      runners: ['r9'],
    });
    await new Promise((r) => setTimeout(r, 300));
    first.close();
    await expect(ending).rejects.toMatchObject({ code: 'FERRY_ERR_STAGE_END_PENDING' });
    expect(readdirSync(dir).filter((f) => f.endsWith('.json'))).toHaveLength(1);

    const again = await startRedisProcess(['--maxmemory-policy', 'noeviction'], port);
    cleanups.push(() => again.stop());
    // Redis lost its data (no AOF here): write the running attempt back as a restored Redis holds it.
    await store.admit({ pipeline: record, dedupKey: record.id, supersede: false });
    await store.putStage(record.id, attempt);
    const settled: Array<{ runners: string[]; ended: boolean }> = [];
    const next = new StageEndJournal({
      dir,
      logger,
      apply,
      settled: async (entry, ended) => {
        settled.push({ runners: entry.runners, ended });
      },
    });
    expect(await next.replay()).toEqual({ stored: 1, refused: 0 });
    expect(settled).toEqual([{ runners: ['r9'], ended: true }]);
    expect(await next.replay()).toEqual({ stored: 0, refused: 0 });
    expect(existsSync(join(dir, readdirSync(dir)[0] ?? 'none'))).toBe(false);
    expect(await stageEnds(redis, prefix, record.id)).toEqual(['build:failed']);
  });
});
