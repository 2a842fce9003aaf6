import { Redis, type RedisOptions } from 'ioredis';

export type RedisRole = 'requests' | 'worker';

/**
 * One Redis connection per role. `requests` fails fast (the webhook path answers 503 when Redis
 * is down instead of hanging); `worker` retries forever, as BullMQ workers require.
 */
export function connectRedis(url: string, role: RedisRole, extra: RedisOptions = {}): Redis {
  const common: RedisOptions = { lazyConnect: false, connectionName: `ferry-${role}`, ...extra };
  if (role === 'worker')
    return new Redis(url, { ...common, maxRetriesPerRequest: null, enableReadyCheck: true });
  return new Redis(url, {
    ...common,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(times * 100, 2_000),
  });
}
