import type { Logger, PipelineRecord } from '@ferry/shared';
import type { Redis } from 'ioredis';
import type { PipelineStore } from '../../store/pipeline-store.js';
import { type BackoffPolicy, backoffMs } from '../backoff.js';
import type { Clock } from '../clock.js';
import type { Delivery, Reporter, Transition } from '../reporter.js';
import type { ReportingKeys } from '../reporting-keys.js';
import type { OutboxQueue } from './outbox-queue.js';
import { type StreamEntry, toTransition } from './transition.js';

export interface TransitionFeedOptions {
  redis: Redis;
  /** A connection of its own for the blocking stream read. */
  blocking: Redis;
  keys: ReportingKeys;
  store: PipelineStore;
  reporters: readonly Reporter[];
  queue: OutboxQueue;
  clock: Clock;
  logger: Logger;
  backoff: BackoffPolicy;
  /** Items were queued for this reporter. */
  onQueued(reporter: string): void;
  /** Transitions read at once (default 100). */
  batch?: number;
  /** A reporter whose plan throws this many times in a row for one transition skips it (default 5). */
  maxPlanFailures?: number;
}

/**
 * Stage one of the outbox: reads the store's transition stream from a cursor kept in Redis, asks
 * every reporter what to send, and queues that together with the new cursor in one transaction, so
 * every transition is planned exactly once, in order, across restarts.
 */
export class TransitionFeed {
  readonly #o: TransitionFeedOptions;
  #failures = 0;
  /** Consecutive plan failures by `reporter transitionId`. */
  readonly #planFailures = new Map<string, number>();

  constructor(options: TransitionFeedOptions) {
    this.#o = options;
  }

  /**
   * Sets the cursor where reporting starts if it has none: the end of the stream, so a first start
   * on a Redis with history does not report the past. Any replica may call it; the first one wins.
   */
  static async initCursor(redis: Redis, keys: ReportingKeys): Promise<void> {
    if ((await redis.exists(keys.cursor)) === 1) return;
    const last = await redis.xrevrange(keys.events, '+', '-', 'COUNT', 1);
    await redis.set(keys.cursor, last[0]?.[0] ?? '0-0', 'NX');
  }

  async run(stop: AbortSignal): Promise<void> {
    const { redis, blocking, keys, logger, clock } = this.#o;
    let cursor: string | undefined;
    while (!stop.aborted) {
      try {
        cursor ??= (await redis.get(keys.cursor)) ?? '0-0';
        const reply = (await blocking.xread(
          'COUNT',
          this.#o.batch ?? 100,
          'BLOCK',
          1000,
          'STREAMS',
          keys.events,
          cursor,
        )) as Array<[string, StreamEntry[]]> | null;
        const entries = reply?.[0]?.[1] ?? [];
        if (entries.length === 0 || stop.aborted) continue;
        cursor = await this.#plan(entries, stop);
        this.#failures = 0;
      } catch (err) {
        if (stop.aborted) break;
        cursor = undefined;
        this.#failures += 1;
        const wait = backoffMs(this.#o.backoff, this.#failures);
        logger.warn({ err: (err as Error).message, retryInMs: wait }, 'reporting: cannot read transitions');
        await clock.sleep(Math.min(wait, 10_000), stop);
      }
    }
  }

  /** Plans a batch and commits it with the cursor; returns the new cursor. */
  async #plan(entries: StreamEntry[], signal: AbortSignal): Promise<string> {
    const { redis, keys, queue, reporters, logger } = this.#o;
    const multi = redis.multi();
    const queuedFor = new Set<string>();
    const transitions = entries.map(toTransition);
    const pipelines = await this.#pipelinesOf(transitions);
    let last = '';
    for (const [n, transition] of transitions.entries()) {
      last = entries[n]![0];
      if (transition === undefined || reporters.length === 0) continue;
      const pipeline = pipelines.get(transition.pipelineId);
      if (pipeline === undefined) {
        logger.debug({ pipelineId: transition.pipelineId }, 'reporting: transition of an unknown pipeline');
        continue;
      }
      const planned = await Promise.all(reporters.map((r) => this.#planOne(r, transition, pipeline, signal)));
      reporters.forEach((reporter, i) => {
        for (const delivery of planned[i] ?? []) {
          queue.addTo(multi, reporter.name, delivery.channel, delivery.item);
          queuedFor.add(reporter.name);
        }
      });
    }
    multi.set(keys.cursor, last);
    const results = await multi.exec();
    const failed = results?.find(([err]) => err !== null);
    if (results === null || failed !== undefined) {
      throw new Error(`queueing reports failed: ${failed?.[0]?.message ?? 'transaction aborted'}`);
    }
    for (const name of queuedFor) this.#o.onQueued(name);
    return last;
  }

  /**
   * The batch's pipelines, each read once and all at once. Read one per transition, one after the
   * other, each read waited its turn on a busy event loop: at 18 pipelines/s the reader fell 30 s
   * behind the stream and kept falling (bench:soak), holding the stream past its cap. With no
   * reporter nothing needs them.
   */
  async #pipelinesOf(
    transitions: ReadonlyArray<Transition | undefined>,
  ): Promise<Map<string, PipelineRecord | undefined>> {
    if (this.#o.reporters.length === 0) return new Map();
    const ids = [...new Set(transitions.flatMap((t) => (t === undefined ? [] : [t.pipelineId])))];
    const records = await Promise.all(ids.map((id) => this.#o.store.get(id)));
    return new Map(ids.map((id, i) => [id, records[i]]));
  }

  async #planOne(
    reporter: Reporter,
    transition: Transition,
    pipeline: PipelineRecord,
    signal: AbortSignal,
  ): Promise<Delivery<unknown>[]> {
    const key = `${reporter.name} ${transition.id}`;
    try {
      const planned = await reporter.plan(transition, pipeline, signal);
      this.#planFailures.delete(key);
      return planned;
    } catch (err) {
      const failures = (this.#planFailures.get(key) ?? 0) + 1;
      if (failures < (this.#o.maxPlanFailures ?? 5)) {
        this.#planFailures.set(key, failures);
        throw err;
      }
      this.#planFailures.delete(key);
      this.#o.logger.error(
        { reporter: reporter.name, transition, err: (err as Error).message },
        'reporting: cannot plan this transition; it is not reported by this reporter',
      );
      return [];
    }
  }
}
