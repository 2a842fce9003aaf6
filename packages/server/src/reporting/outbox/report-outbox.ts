import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '@ferry/shared';
import type { Redis } from 'ioredis';
import type { PipelineStore } from '../../store/pipeline-store.js';
import type { BackoffPolicy } from '../backoff.js';
import type { Clock } from '../clock.js';
import type { Reporter } from '../reporter.js';
import type { ReportingKeys } from '../reporting-keys.js';
import { ChannelSender } from './channel-sender.js';
import { Lease } from './lease.js';
import type { OutboxQueue } from './outbox-queue.js';
import type { ReporterHealth } from './reporter-health.js';
import { TransitionFeed } from './transition-feed.js';

export interface ReportOutboxOptions {
  /** Commands (a connection that retries while Redis is away). */
  redis: Redis;
  /** A second connection, for the blocking stream read. */
  blocking: Redis;
  keys: ReportingKeys;
  /** The per-channel queues (others, like the alert channel, queue into them too). */
  queue: OutboxQueue;
  store: PipelineStore;
  reporters: readonly Reporter[];
  clock: Clock;
  logger: Logger;
  health: ReporterHealth;
  concurrency: number;
  backoff: BackoffPolicy;
  /** How long the sending replica's lease lasts without renewal (default 15 s). */
  leaseTtlMs?: number;
  /** Other work that only the sending replica does (e.g. watching reporter health). */
  whileLeading?: ReadonlyArray<(stop: AbortSignal) => Promise<void>>;
}

/**
 * The durable reporting outbox. Every replica may run one; the one holding the lease reads the
 * transition stream into per-channel queues (stage one) and drains them through the reporters
 * (stage two). A reporter outage only delays its queues; a restart resumes from Redis.
 */
export class ReportOutbox {
  readonly queue: OutboxQueue;
  readonly #o: ReportOutboxOptions;
  readonly #lease: Lease;
  readonly #senders: ChannelSender[];
  readonly #closed = new AbortController();
  #stopLeading: AbortController | undefined;
  #loop: Promise<void> | undefined;
  #graceMs = 5_000;

  constructor(options: ReportOutboxOptions) {
    this.#o = options;
    this.queue = options.queue;
    this.#lease = new Lease(
      options.redis,
      options.keys.lease,
      `${process.pid}-${randomUUID()}`,
      options.leaseTtlMs ?? 15_000,
    );
    this.#senders = options.reporters.map(
      (reporter) =>
        new ChannelSender({
          reporter,
          queue: this.queue,
          clock: options.clock,
          health: options.health,
          logger: options.logger,
          concurrency: options.concurrency,
          backoff: options.backoff,
        }),
    );
  }

  /** Sets the starting cursor (first start only) and begins competing for the lease. */
  async start(): Promise<void> {
    await TransitionFeed.initCursor(this.#o.redis, this.#o.keys);
    this.#loop = this.#run();
  }

  /** Whether this replica sends reports now. */
  isLeading(): boolean {
    return this.#stopLeading !== undefined && !this.#stopLeading.signal.aborted;
  }

  /** Items were queued for `reporter` in this process (e.g. an alert): send them now if leading. */
  wake(reporter: string): void {
    for (const sender of this.#senders) if (sender.reporter === reporter) sender.wake();
  }

  /** Stops sending: in-flight sends get `graceMs` to finish, then the lease is released. */
  async close(graceMs = 5_000): Promise<void> {
    this.#graceMs = graceMs;
    this.#closed.abort();
    this.#stopLeading?.abort();
    // Ends a blocking read at once instead of at its timeout.
    this.#o.blocking.disconnect();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const { logger } = this.#o;
    const closed = this.#closed.signal;
    const ttl = this.#lease.ttlMs;
    while (!closed.aborted) {
      let leading = false;
      try {
        leading = await this.#lease.acquire();
      } catch (err) {
        logger.warn({ err: (err as Error).message }, 'reporting: cannot reach Redis for the lease');
      }
      if (leading && !closed.aborted) {
        await this.#lead();
      } else {
        await delay(ttl / 3, undefined, { signal: closed }).catch(() => {});
      }
    }
    await this.#lease.release().catch(() => {});
  }

  async #lead(): Promise<void> {
    const { logger } = this.#o;
    const stop = new AbortController();
    const hard = new AbortController();
    this.#stopLeading = stop;
    logger.info({ owner: this.#lease.owner }, 'reporting: this replica sends reports');
    const ttl = this.#lease.ttlMs;
    let renewedAt = Date.now();
    const renew = setInterval(() => {
      this.#lease.renew().then(
        (held) => {
          if (held) {
            renewedAt = Date.now();
            return;
          }
          logger.warn('reporting: another replica holds the lease now; this one stops sending');
          stop.abort();
          hard.abort();
        },
        (err: unknown) => {
          if (Date.now() - renewedAt < ttl) return;
          logger.warn({ err: (err as Error).message }, 'reporting: lease not renewed in time; stopping');
          stop.abort();
          hard.abort();
        },
      );
    }, ttl / 3);
    const feed = new TransitionFeed({
      redis: this.#o.redis,
      blocking: this.#o.blocking,
      keys: this.#o.keys,
      store: this.#o.store,
      reporters: this.#o.reporters,
      queue: this.queue,
      clock: this.#o.clock,
      logger,
      backoff: this.#o.backoff,
      onQueued: (reporter) => this.wake(reporter),
    });
    const tasks = [
      feed.run(stop.signal),
      ...this.#senders.map((sender) => sender.run(stop.signal, hard.signal)),
      ...(this.#o.whileLeading ?? []).map((task) => task(stop.signal)),
    ].map((task) => task.catch((err: unknown) => logger.error({ err }, 'reporting: a sending task failed')));
    await new Promise<void>((resolve) => {
      if (stop.signal.aborted) resolve();
      else stop.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    const finished = Promise.allSettled(tasks);
    await Promise.race([finished, delay(this.#graceMs)]);
    hard.abort();
    // A task stuck on an unreachable Redis does not hold shutdown (nor the next lead) forever.
    const ended = await Promise.race([finished.then(() => true), delay(this.#graceMs).then(() => false)]);
    if (!ended) logger.warn('reporting: sending tasks did not stop in time; leaving them');
    clearInterval(renew);
  }
}
