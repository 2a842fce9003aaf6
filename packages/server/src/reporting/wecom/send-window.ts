import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ReportingKeys } from '../reporting-keys.js';

/**
 * When messages went to each bot within the rate window, in Redis so that a replica taking over
 * the sending (or a restart) knows how much of the minute's budget is spent.
 */
export class SendWindow {
  readonly #redis: Redis;
  readonly #keys: ReportingKeys;
  readonly #windowMs: number;

  constructor(redis: Redis, keys: ReportingKeys, windowMs: number) {
    this.#redis = redis;
    this.#keys = keys;
    this.#windowMs = windowMs;
  }

  /** Send times (ms) within the window ending at `now`. */
  async recent(bot: string, now: number): Promise<number[]> {
    const key = this.#keys.botSends(bot);
    const [, scores] = (await this.#redis
      .multi()
      .zremrangebyscore(key, '-inf', now - this.#windowMs)
      .zrangebyscore(key, now - this.#windowMs, '+inf', 'WITHSCORES')
      .exec()) as [[Error | null, unknown], [Error | null, string[]]];
    const flat = scores[1] ?? [];
    const times: number[] = [];
    for (let i = 1; i < flat.length; i += 2) times.push(Number(flat[i]));
    return times;
  }

  async record(bot: string, at: number): Promise<void> {
    const key = this.#keys.botSends(bot);
    await this.#redis
      .multi()
      .zadd(key, at, `${at}:${randomUUID()}`)
      .pexpire(key, this.#windowMs * 2)
      .exec();
  }
}
