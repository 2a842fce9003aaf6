import type { Redis } from 'ioredis';

export interface RedisCheck {
  /** Settings that make Ferry unsafe: it refuses to start on these. */
  errors: string[];
  /** Settings an operator should know about. */
  warnings: string[];
}

/** Checks the Redis settings Ferry depends on and says plainly what is wrong. */
export async function checkRedis(redis: Redis): Promise<RedisCheck> {
  const errors: string[] = [];
  const warnings: string[] = [];
  const policy = await configGet(redis, 'maxmemory-policy');
  if (policy !== undefined && policy !== 'noeviction') {
    errors.push(
      `Redis maxmemory-policy is "${policy}": Redis may evict queued pipelines. Set "maxmemory-policy noeviction".`,
    );
  }
  const aof = await configGet(redis, 'appendonly');
  const save = await configGet(redis, 'save');
  if (aof === 'no' && (save === undefined || save.trim() === '')) {
    warnings.push(
      'Redis has no persistence (appendonly no, no save points): a Redis restart loses every queued pipeline. Set "appendonly yes".',
    );
  }
  return { errors, warnings };
}

async function configGet(redis: Redis, key: string): Promise<string | undefined> {
  try {
    const reply = (await redis.config('GET', key)) as unknown;
    if (Array.isArray(reply) && typeof reply[1] === 'string') return reply[1];
    return undefined;
  } catch {
    // Managed Redis services often disable CONFIG; nothing to check then.
    return undefined;
  }
}
