import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '@ferry/shared';
import { type BackoffPolicy, backoffMs } from '../backoff.js';
import type { Clock } from '../clock.js';
import type { DeliveryResult, Reporter } from '../reporter.js';
import type { OutboxQueue } from './outbox-queue.js';
import type { ReporterHealth } from './reporter-health.js';

export interface ChannelSenderOptions {
  reporter: Reporter;
  queue: OutboxQueue;
  clock: Clock;
  health: ReporterHealth;
  logger: Logger;
  /** Channels delivered to at once. */
  concurrency: number;
  backoff: BackoffPolicy;
  /** Most items handed to one `deliver` call (default 50). */
  batch?: number;
  /** Real-time interval at which queued channels are looked for without a wake-up (default 1 s). */
  pollMs?: number;
}

/**
 * Stage two of the outbox for one reporter: drains each channel's queue through the reporter, one
 * channel item after another (so a commit's statuses stay in order), several channels at once.
 * A failing channel backs off alone; a channel that must wait (a rate limit) frees its slot.
 */
export class ChannelSender {
  readonly #o: ChannelSenderOptions;
  readonly #active = new Map<string, Promise<void>>();
  readonly #notBefore = new Map<string, number>();
  readonly #attempts = new Map<string, number>();
  #wakeUp: (() => void) | undefined;
  #woken = false;

  constructor(options: ChannelSenderOptions) {
    this.#o = options;
  }

  get reporter(): string {
    return this.#o.reporter.name;
  }

  /** Something was queued: look at the channels now. */
  wake(): void {
    this.#woken = true;
    this.#wakeUp?.();
  }

  /**
   * Sends until `stop` aborts, then lets in-flight deliveries finish; `hard` aborts them (a lost
   * lease, or shutdown after its grace period).
   */
  async run(stop: AbortSignal, hard: AbortSignal): Promise<void> {
    const log = this.#o.logger;
    while (!stop.aborted) {
      let nextAt = Number.POSITIVE_INFINITY;
      try {
        const channels = await this.#o.queue.channels(this.reporter);
        const now = this.#o.clock.now();
        for (const channel of channels) {
          if (this.#active.has(channel)) continue;
          const notBefore = this.#notBefore.get(channel) ?? 0;
          if (notBefore > now) {
            nextAt = Math.min(nextAt, notBefore);
            continue;
          }
          if (this.#active.size >= this.#o.concurrency) break;
          const drained = this.#drain(channel, stop, hard).finally(() => {
            this.#active.delete(channel);
            this.wake();
          });
          this.#active.set(channel, drained);
        }
      } catch (err) {
        log.warn({ reporter: this.reporter, err: (err as Error).message }, 'reporting: cannot list queues');
      }
      await this.#pause(nextAt - this.#o.clock.now(), stop);
    }
    await Promise.allSettled([...this.#active.values()]);
  }

  async #pause(clockMs: number, stop: AbortSignal): Promise<void> {
    if (this.#woken) {
      this.#woken = false;
      return;
    }
    const done = new AbortController();
    const signal = AbortSignal.any([done.signal, stop]);
    const woken = new Promise<void>((resolve) => {
      this.#wakeUp = resolve;
    });
    const waits: Promise<unknown>[] = [
      woken,
      delay(this.#o.pollMs ?? 1000, undefined, { signal }).catch(() => {}),
    ];
    if (Number.isFinite(clockMs)) waits.push(this.#o.clock.sleep(clockMs, signal));
    // Every wait ends when `stop` aborts (it is part of `signal`).
    if (!stop.aborted) await Promise.race(waits);
    done.abort();
    this.#wakeUp = undefined;
    this.#woken = false;
  }

  async #drain(channel: string, stop: AbortSignal, hard: AbortSignal): Promise<void> {
    const { queue, reporter, health, clock, logger } = this.#o;
    while (!stop.aborted) {
      let result: DeliveryResult;
      try {
        const peeked = await queue.peek(reporter.name, channel, this.#o.batch ?? 50);
        if (peeked.length === 0) {
          await queue.forgetIfEmpty(reporter.name, channel);
          this.#notBefore.delete(channel);
          this.#attempts.delete(channel);
          return;
        }
        const unreadable = peeked.indexOf(undefined);
        if (unreadable === 0) {
          logger.error({ reporter: reporter.name, channel }, 'reporting: dropped an unreadable queued item');
          await queue.pop(reporter.name, channel, 1);
          continue;
        }
        const items = unreadable === -1 ? peeked : peeked.slice(0, unreadable);
        result = await reporter
          .deliver(channel, items, hard)
          .catch(
            (err: unknown): DeliveryResult => ({ kind: 'retry', afterMs: 0, reason: (err as Error).message }),
          );
        if (result.kind === 'done' || result.kind === 'failed') {
          await queue.pop(reporter.name, channel, Math.max(1, Math.min(result.count, items.length)));
        }
      } catch (err) {
        // Redis trouble: this channel waits and tries again.
        result = { kind: 'retry', afterMs: 0, reason: `queue: ${(err as Error).message}` };
      }
      // Shutdown or a lost lease cut the send short: the item stays queued for the next sender.
      if (hard.aborted) return;
      const now = clock.now();
      switch (result.kind) {
        case 'done':
          this.#attempts.delete(channel);
          health.succeeded(reporter.name);
          break;
        case 'failed':
          this.#attempts.delete(channel);
          health.failed(reporter.name, result.reason, now);
          break;
        case 'wait':
          this.#notBefore.set(channel, now + result.afterMs);
          return;
        case 'retry': {
          const attempt = (this.#attempts.get(channel) ?? 0) + 1;
          this.#attempts.set(channel, attempt);
          const wait = backoffMs(this.#o.backoff, attempt, result.afterMs);
          this.#notBefore.set(channel, now + wait);
          health.failed(reporter.name, result.reason, now);
          logger.warn(
            { reporter: reporter.name, channel, attempt, retryInMs: wait, reason: result.reason },
            'reporting: send failed, will retry',
          );
          return;
        }
      }
    }
  }
}
