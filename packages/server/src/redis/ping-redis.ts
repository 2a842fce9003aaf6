import type { Redis } from 'ioredis';

/** How long a health or metrics probe waits for Redis before calling it unreachable. */
export const REDIS_PROBE_TIMEOUT_MS = 1_000;

/**
 * Settles with the promise, or rejects once `ms` passed: a command to an unreachable Redis can wait
 * for reconnection for a long time (BullMQ's connections retry forever), a probe must not.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** PING within the probe timeout: throws with the reason when Redis does not answer PONG in time. */
export async function pingRedis(redis: Redis, ms = REDIS_PROBE_TIMEOUT_MS): Promise<void> {
  await withTimeout(redis.ping(), ms);
}
