import { buildPushHook, sendWebhook } from '@ferry/doubles/gitlab';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { checkRedis } from '../../packages/server/src/redis/check-redis.js';
import { startTestFerry, type TestFerry, testWebhookSecret } from '../support/ferry.js';
import { spawnFerry } from '../support/ferry-process.js';
import { type RedisProcess, startRedisProcess } from '../support/redis-process.js';

describe('Redis faults and settings', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  });

  it('says plainly when Redis may evict queued pipelines or has no persistence', async () => {
    const lru = await startRedisProcess(['--maxmemory-policy', 'allkeys-lru', '--appendonly', 'no']);
    cleanups.push(() => lru.stop());
    const redis = new Redis(lru.url);
    cleanups.push(() => redis.quit());
    const check = await checkRedis(redis);
    expect(check.errors.join('\n')).toContain('maxmemory-policy is "allkeys-lru"');
    expect(check.warnings.join('\n')).toContain('appendonly yes');
    await redis.config('SET', 'maxmemory-policy', 'noeviction');
    await redis.config('SET', 'appendonly', 'yes');
    expect(await checkRedis(redis)).toEqual({ errors: [], warnings: [] });
  });

  it('refuses to start on an evicting Redis, naming the setting to change', async () => {
    const lru = await startRedisProcess(['--maxmemory-policy', 'allkeys-lru']);
    cleanups.push(() => lru.stop());
    await expect(spawnFerry({ redis: { url: lru.url }, executor: { kind: 'noop' } })).rejects.toThrow(
      /maxmemory-policy noeviction/,
    );
  });

  it('answers 503 (which GitLab retries) while Redis is down, says ferry_redis_up 0 in a scrape that still answers, and accepts again once it is back', async () => {
    let redis: RedisProcess = await startRedisProcess(['--maxmemory-policy', 'noeviction']);
    // Ferry closes before its Redis stops (closing a queue waits for Redis).
    cleanups.push(() => redis.stop());
    const t: TestFerry = await startTestFerry({ worker: false, redisUrl: redis.url });
    let ferryClosed = false;
    const closeFerry = async () => {
      if (!ferryClosed) await t.close();
      ferryClosed = true;
    };
    const hook = `${t.url}/webhooks/gitlab`;
    const payload = () => buildPushHook({ branch: 'test', project: { id: 77, pathWithNamespace: 'g/down' } });
    expect((await sendWebhook(hook, 'Push Hook', payload(), { token: testWebhookSecret })).status).toBe(201);
    const scrape = async () => {
      const res = await fetch(`${t.url}/metrics`, { signal: AbortSignal.timeout(10_000) });
      expect(res.status).toBe(200);
      return res.text();
    };
    const up = await scrape();
    expect(up).toMatch(/^ferry_redis_up 1$/m);
    expect(up).toMatch(/^ferry_pipelines\{status="queued"\} 1$/m);

    await redis.stop();
    const away = await scrape();
    expect(away).toMatch(/^ferry_redis_up 0$/m);
    // What is read from Redis is left out of a scrape without Redis, never a stale value.
    expect(away).not.toMatch(/^ferry_pipelines\{/m);
    const down = await sendWebhook(hook, 'Push Hook', payload(), { token: testWebhookSecret });
    expect(down.status).toBe(503);
    expect(down.json).toMatchObject({ error: { code: 'FERRY_ERR_REDIS_UNAVAILABLE' } });
    expect((await fetch(`${t.url}/readyz`)).status).toBe(503);

    redis = await startRedisProcess(['--maxmemory-policy', 'noeviction'], redis.port);
    cleanups.push(() => redis.stop(), closeFerry);
    const back = await (async () => {
      for (let i = 0; i < 100; i++) {
        const res = await sendWebhook(hook, 'Push Hook', payload(), { token: testWebhookSecret });
        if (res.status !== 503) return res;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('still 503');
    })();
    expect(back.status).toBe(201);
    expect(await scrape()).toMatch(/^ferry_redis_up 1$/m);
  });
});
