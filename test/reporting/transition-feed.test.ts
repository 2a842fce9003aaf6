import { createLogger, type PipelineRecord } from '@ferry/shared';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../packages/server/src/reporting/clock.js';
import { OutboxQueue } from '../../packages/server/src/reporting/outbox/outbox-queue.js';
import { TransitionFeed } from '../../packages/server/src/reporting/outbox/transition-feed.js';
import type { Delivery, Reporter, Transition } from '../../packages/server/src/reporting/reporter.js';
import { reportingKeys } from '../../packages/server/src/reporting/reporting-keys.js';
import type { PipelineStore } from '../../packages/server/src/store/pipeline-store.js';
import { pushPipeline, until } from '../api/api-support.js';
import { eventually, type TestFerry } from '../support/ferry.js';
import { ferryPerTest } from '../support/ferry-per-test.js';
import { connectTestRedis } from '../support/services.js';

/** A reporter that plans one item per transition and records what it was asked, in order. */
class RecordingReporter implements Reporter<string> {
  readonly name = 'recording';
  readonly planned: string[] = [];
  async plan(transition: Transition, pipeline: PipelineRecord): Promise<Delivery<string>[]> {
    expect(pipeline.id).toBe(transition.pipelineId);
    this.planned.push(transition.id);
    return [{ channel: pipeline.id, item: transition.id }];
  }
  async deliver(): Promise<{ kind: 'done'; count: number }> {
    return { kind: 'done', count: 1 };
  }
}

describe('the reporting feed', () => {
  const each = ferryPerTest();

  /**
   * Runs a feed of its own (its own cursor, from the stream's start) over a Ferry's event stream
   * until it has read every entry; how many pipeline reads it made, and the reporter.
   */
  async function feedOnce(ferry: TestFerry, reporters: Reporter[]): Promise<{ reads: number }> {
    const redis = each.redis;
    const blocking = await connectTestRedis();
    const keys = { ...reportingKeys(ferry.prefix), cursor: `${ferry.prefix}:test-feed:cursor` };
    let reads = 0;
    const live = ferry.ferry.ctx.store;
    const store: PipelineStore = Object.create(live, {
      get: {
        value: (id: string) => {
          reads += 1;
          return live.get(id);
        },
      },
    });
    const feed = new TransitionFeed({
      redis,
      blocking,
      keys,
      store,
      reporters,
      queue: new OutboxQueue(redis, keys),
      clock: systemClock,
      logger: createLogger({ level: 'silent' }),
      backoff: { initialMs: 50, maxMs: 500 },
      onQueued: () => {},
    });
    const last = (await redis.xrevrange(keys.events, '+', '-', 'COUNT', 1))[0]?.[0];
    const stop = new AbortController();
    const running = feed.run(stop.signal);
    try {
      await eventually(async () => ((await redis.get(keys.cursor)) === last ? true : undefined), 60_000);
    } finally {
      stop.abort();
      blocking.disconnect();
      await running;
    }
    return { reads };
  }

  it('plans every transition in order, reading each pipeline of a batch once', async () => {
    const t = await each.start({});
    const ids = [await pushPipeline(t, { projectId: 901 }), await pushPipeline(t, { projectId: 902 })];
    for (const id of ids) await until(t, id, ['success']);
    const entries = (await each.redis.xrange(reportingKeys(t.prefix).events, '-', '+')).map(([id]) => id);
    expect(entries.length).toBeGreaterThan(ids.length * 5);
    const reporter = new RecordingReporter();
    const { reads } = await feedOnce(t, [reporter]);
    expect(reporter.planned).toEqual(entries);
    // One batch (100 entries) holds both pipelines' transitions: one read each, not one per transition.
    expect(reads).toBe(ids.length);
  });

  it('with no reporter, reads no pipeline and still moves its cursor past every transition', async () => {
    const t = await each.start({});
    const id = await pushPipeline(t, { projectId: 903 });
    await until(t, id, ['success']);
    expect((await feedOnce(t, [])).reads).toBe(0);
  });
});
