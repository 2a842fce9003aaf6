import { Redis, type RedisOptions } from 'ioredis';

export type RedisRole = 'requests' | 'worker';

/**
 * One Redis connection per role. `requests` fails fast (the webhook path answers 503 when Redis
 * is down instead of hanging); `worker` retries forever, as BullMQ workers require. Connection
 * errors go to `onError`, at most every 10 s (without a listener ioredis prints every retry).
 */
export function connectRedis(
  url: string,
  role: RedisRole,
  extra: RedisOptions = {},
  onError: (err: Error) => void = () => {},
): Redis {
  const common: RedisOptions = { lazyConnect: false, connectionName: `ferry-${role}`, ...extra };
  const redis =
    role === 'worker'
      ? new Redis(url, { ...common, maxRetriesPerRequest: null, enableReadyCheck: true })
      : new Redis(url, {
          ...common,
          maxRetriesPerRequest: 1,
          enableOfflineQueue: true,
          connectTimeout: 2_000,
          retryStrategy: (times) => Math.min(times * 100, 2_000),
        });
  let last = 0;
  redis.on('error', (err: Error) => {
    if (Date.now() - last < 10_000) return;
    last = Date.now();
    onError(err);
  });
  return redis;
}
