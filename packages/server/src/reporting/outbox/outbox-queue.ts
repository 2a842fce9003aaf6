import type { ChainableCommander, Redis } from 'ioredis';
import type { ReportingKeys } from '../reporting-keys.js';

const forgetIfEmpty = `
if redis.call('LLEN', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], ARGV[1]) end
return 1
`;

interface QueueCommands {
  ferryOutboxForget(queue: string, channels: string, channel: string): Promise<number>;
}

/**
 * The outbox's durable queues in Redis: one list of JSON items per reporter and channel, and per
 * reporter the set of channels that have items. Items leave a queue only once handled.
 */
export class OutboxQueue {
  readonly #redis: Redis & QueueCommands;
  readonly #keys: ReportingKeys;

  constructor(redis: Redis, keys: ReportingKeys) {
    if (typeof (redis as unknown as Record<string, unknown>)['ferryOutboxForget'] !== 'function') {
      redis.defineCommand('ferryOutboxForget', { numberOfKeys: 2, lua: forgetIfEmpty });
    }
    this.#redis = redis as Redis & QueueCommands;
    this.#keys = keys;
  }

  /** Adds an item to a transaction (the caller commits it with what else must happen at once). */
  addTo(multi: ChainableCommander, reporter: string, channel: string, item: unknown): void {
    multi.rpush(this.#keys.queue(reporter, channel), JSON.stringify(item));
    multi.sadd(this.#keys.channels(reporter), channel);
  }

  /** Queues one item now. */
  async push(reporter: string, channel: string, item: unknown): Promise<void> {
    const multi = this.#redis.multi();
    this.addTo(multi, reporter, channel, item);
    await multi.exec();
  }

  /** Channels of a reporter with items queued. */
  async channels(reporter: string): Promise<string[]> {
    return this.#redis.smembers(this.#keys.channels(reporter));
  }

  /** The oldest `limit` items of a channel, not removed. Items that are not JSON are dropped. */
  async peek(reporter: string, channel: string, limit: number): Promise<unknown[]> {
    const raw = await this.#redis.lrange(this.#keys.queue(reporter, channel), 0, limit - 1);
    const items: unknown[] = [];
    for (const text of raw) {
      try {
        items.push(JSON.parse(text));
      } catch {
        items.push(undefined);
      }
    }
    return items;
  }

  /** Removes the oldest `count` items of a channel. */
  async pop(reporter: string, channel: string, count: number): Promise<void> {
    if (count > 0) await this.#redis.ltrim(this.#keys.queue(reporter, channel), count, -1);
  }

  /** Drops the channel from the reporter's set if its queue is empty (atomically: a push re-adds it). */
  async forgetIfEmpty(reporter: string, channel: string): Promise<void> {
    await this.#redis.ferryOutboxForget(
      this.#keys.queue(reporter, channel),
      this.#keys.channels(reporter),
      channel,
    );
  }

  /** How many items wait in each channel of a reporter. */
  async backlog(reporter: string): Promise<number> {
    const channels = await this.channels(reporter);
    if (channels.length === 0) return 0;
    const pipe = this.#redis.pipeline();
    for (const channel of channels) pipe.llen(this.#keys.queue(reporter, channel));
    let total = 0;
    for (const [err, n] of (await pipe.exec()) ?? []) if (!err) total += Number(n);
    return total;
  }
}
