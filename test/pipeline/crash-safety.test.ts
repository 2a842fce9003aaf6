import { randomUUID } from 'node:crypto';
import { buildPushHook, randomSha, sendWebhook } from '@ferry/doubles/gitlab';
import { isTerminalPipeline, type PipelineRecord } from '@ferry/shared';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisPipelineStore } from '../../packages/server/src/store/redis/redis-pipeline-store.js';
import { eventually, testWebhookSecret } from '../support/ferry.js';
import { type FerryProcess, spawnFerry } from '../support/ferry-process.js';
import { connectTestRedis, testRedisUrl } from '../support/services.js';

// Real processes: `ferry serve` killed with SIGKILL or stopped with SIGTERM in the middle of many
// pipelines, then started again over the same Redis.
describe('crash safety with real processes', () => {
  let redis: Redis;
  const children: FerryProcess[] = [];
  beforeAll(async () => {
    redis = await connectTestRedis();
  });
  afterEach(() => {
    for (const c of children.splice(0)) if (c.child.exitCode === null) c.child.kill('SIGKILL');
  });
  afterAll(async () => {
    await redis.quit();
  });

  const configFor = (prefix: string, stageDuration: string) => ({
    executor: { kind: 'noop', noop: { stageDuration } },
    redis: { url: testRedisUrl(), keyPrefix: prefix },
    limits: { concurrency: 8, lockDuration: '2s', recoveryInterval: '1s', drainTimeout: '10s' },
    log: { level: 'warn' },
  });

  async function start(prefix: string, stageDuration: string): Promise<FerryProcess> {
    const proc = await spawnFerry(configFor(prefix, stageDuration));
    children.push(proc);
    return proc;
  }

  async function sendMany(url: string, projects: number, commits: number): Promise<Map<string, string>> {
    const accepted = new Map<string, string>(); // sha → pipeline id
    const sends: Promise<void>[] = [];
    for (let c = 0; c < commits; c++) {
      for (let p = 0; p < projects; p++) {
        const sha = randomSha();
        const payload = buildPushHook({
          branch: 'test',
          after: sha,
          project: { id: 100 + p, pathWithNamespace: `crash/p${p}` },
        });
        sends.push(
          sendWebhook(`${url}/webhooks/gitlab`, 'Push Hook', payload, { token: testWebhookSecret }).then(
            (res) => {
              if (res.status >= 200 && res.status < 300)
                accepted.set(sha, (res.json as { pipelineId: string }).pipelineId);
            },
          ),
        );
      }
      await Promise.all(sends.splice(0));
    }
    return accepted;
  }

  async function allPipelines(store: RedisPipelineStore): Promise<PipelineRecord[]> {
    const out: PipelineRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.list({}, 200, cursor);
      out.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return out;
  }

  function expectLanesNeverOverlap(pipelines: PipelineRecord[]): void {
    const byLane = new Map<string, PipelineRecord[]>();
    for (const p of pipelines.filter((x) => x.startedAt !== undefined)) {
      byLane.set(p.lane, [...(byLane.get(p.lane) ?? []), p]);
    }
    for (const list of byLane.values()) {
      list.sort((a, b) => Date.parse(a.startedAt!) - Date.parse(b.startedAt!));
      for (let i = 1; i < list.length; i++) {
        expect(Date.parse(list[i]!.startedAt!)).toBeGreaterThanOrEqual(Date.parse(list[i - 1]!.finishedAt!));
      }
    }
  }

  it('SIGKILL mid-flight, restart: every accepted pipeline ends, none lost, none duplicated, lanes never overlap', async () => {
    const prefix = `crash${randomUUID().slice(0, 6)}`;
    const store = new RedisPipelineStore(redis, { prefix });
    const a = await start(prefix, '150ms');
    const accepted = await sendMany(a.url, 12, 5);
    expect(accepted.size).toBe(60);
    await eventually(async () => ((await store.countByStatus()).running >= 4 ? true : undefined), 10_000);
    a.child.kill('SIGKILL');
    expect(await a.exited).toBe('SIGKILL');
    const stranded = (await store.countByStatus()).running;
    expect(stranded).toBeGreaterThan(0);

    await start(prefix, '150ms');
    const pipelines = await eventually(async () => {
      const all = await allPipelines(store);
      return all.every((p) => isTerminalPipeline(p.status)) ? all : undefined;
    }, 60_000);
    expect(pipelines).toHaveLength(accepted.size);
    expect(new Set(pipelines.map((p) => p.sha))).toEqual(new Set(accepted.keys()));
    for (const p of pipelines) expect(['success', 'skipped']).toContain(p.status);
    // The stages the dead worker was running were run again, after it, not beside it.
    expect(pipelines.some((p) => p.stages.some((s) => s.attempts >= 2))).toBe(true);
    expectLanesNeverOverlap(pipelines);
    expect(await store.nonTerminalIds()).toEqual([]);
  });

  it('SIGTERM drains: running pipelines finish, the process exits 0, the rest run after a restart', async () => {
    const prefix = `drain${randomUUID().slice(0, 6)}`;
    const store = new RedisPipelineStore(redis, { prefix });
    const a = await start(prefix, '400ms');
    const accepted = await sendMany(a.url, 10, 2);
    const running = await eventually(async () => {
      const all = await allPipelines(store);
      const r = all.filter((p) => p.status === 'running');
      return r.length >= 4 ? r : undefined;
    }, 10_000);
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    for (const p of running) expect((await store.get(p.id))?.status).toBe('success');

    await start(prefix, '50ms');
    const pipelines = await eventually(async () => {
      const all = await allPipelines(store);
      return all.length === accepted.size && all.every((p) => isTerminalPipeline(p.status)) ? all : undefined;
    }, 60_000);
    for (const p of pipelines) expect(['success', 'skipped']).toContain(p.status);
    expect(pipelines.every((p) => p.stages.every((s) => s.attempts <= 1))).toBe(true);
  });
});
