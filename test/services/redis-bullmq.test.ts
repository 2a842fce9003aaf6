import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { connectTestRedis, testRedisUrl } from '../support/services.js';

// Proves the Redis the suite runs against is real: a job goes through BullMQ and comes back.
describe('real Redis through BullMQ', () => {
  const name = `svc-${randomUUID()}`;
  const connection = { url: testRedisUrl(), maxRetriesPerRequest: null };
  const closers: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
  });

  it('runs a job in a worker and returns its result', async () => {
    const queue = new Queue(name, { connection });
    const events = new QueueEvents(name, { connection });
    const worker = new Worker(name, async (job) => ({ doubled: (job.data as { n: number }).n * 2 }), {
      connection,
    });
    // Closed in reverse: the worker and events first, then the queue is emptied and closed.
    closers.push(
      () => queue.close(),
      () => queue.obliterate({ force: true }),
      () => events.close(),
      () => worker.close(),
    );
    await events.waitUntilReady();

    const job = await queue.add('double', { n: 21 });
    const result = await job.waitUntilFinished(events, 20_000);
    expect(result).toEqual({ doubled: 42 });
    const redis = await connectTestRedis();
    closers.push(() => redis.quit());
    expect(await redis.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
  });
});
