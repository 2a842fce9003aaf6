import Docker from 'dockerode';
import { Redis } from 'ioredis';

/**
 * The real services the integration tests use. `npm test` starts them and exports their
 * addresses; run by hand, the defaults point at services a developer started on loopback.
 * A missing service fails the test with a message saying how to start it: never a skip.
 */
export function testRedisUrl(): string {
  return process.env.FERRY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6390';
}

export async function connectTestRedis(): Promise<Redis> {
  const url = testRedisUrl();
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true, connectTimeout: 2_000 });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new Error(
      `Redis is not reachable at ${url} (${(err as Error).message}); run the suite with npm test`,
    );
  }
  return redis;
}

export interface TestRegistry {
  /** host:port */
  address: string;
  username: string;
  password: string;
}

export function testRegistry(): TestRegistry {
  return {
    address: process.env.FERRY_TEST_REGISTRY ?? '127.0.0.1:5000',
    username: process.env.FERRY_TEST_REGISTRY_USER ?? 'ferry',
    password: process.env.FERRY_TEST_REGISTRY_PASSWORD ?? 'ferry-password',
  };
}

export async function connectTestDocker(): Promise<Docker> {
  const docker = new Docker();
  try {
    await docker.ping();
  } catch (err) {
    throw new Error(
      `The Docker engine is not reachable (${(err as Error).message}); run the suite with npm test`,
    );
  }
  return docker;
}

/** Local images built by scripts/lib/test-images.sh (nothing can be pulled here). */
export const testImages = {
  busybox: 'ferry-test/busybox:latest',
  debian: 'ferry-test/debian:bookworm',
  node: 'ferry-test/node:20',
  /** redis-server 7 listening on 127.0.0.1:6379 of its network namespace (a job's service). */
  redis: 'ferry-test/redis:7',
} as const;
