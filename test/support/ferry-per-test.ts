import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { type StartTestFerryOptions, startTestFerry, type TestFerry } from './ferry.js';
import { connectTestRedis } from './services.js';

export interface FerryPerTest {
  /** The describe's connection to the test Redis (open from beforeAll to afterAll). */
  readonly redis: Redis;
  /** Starts the test's Ferry; it is closed after the test unless the test closed it. */
  start(options: StartTestFerryOptions): Promise<TestFerry>;
  /** The test closes its Ferry itself: `close` is then not called again. */
  closed(): void;
}

/** A describe's shared test Redis, and one Ferry per test closed after it. Call inside describe. */
export function ferryPerTest(): FerryPerTest {
  let redis: Redis | undefined;
  let ferry: TestFerry | undefined;
  beforeAll(async () => {
    redis = await connectTestRedis();
  });
  afterAll(() => redis?.disconnect());
  afterEach(async () => {
    await ferry?.close();
    ferry = undefined;
  });
  return {
    get redis(): Redis {
      if (redis === undefined) throw new Error('ferryPerTest: the Redis connection opens in beforeAll');
      return redis;
    },
    async start(options) {
      ferry = await startTestFerry(options);
      return ferry;
    },
    closed() {
      ferry = undefined;
    },
  };
}
