import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '@ferry/shared';
import { Lease } from '../../reporting/outbox/lease.js';
import type { HistoryMetrics } from '../history-metrics.js';
import type { HistoryStore, LogArchive } from '../history-store.js';
import type { DueForArchive, RedisLiveSource } from '../redis/redis-live-source.js';
import { type RetentionPolicy, runRetention } from './retention.js';

/** Pipelines moved at once within a cycle. */
const movesAtOnce = 4;

export interface ArchiverOptions {
  source: RedisLiveSource;
  history: HistoryStore;
  /** Where archived log lines go: the archive database, or a logs directory. */
  logs: { archive: LogArchive; location: 'db' | 'dir'; all: readonly LogArchive[] };
  lease: { redis: ConstructorParameters<typeof Lease>[0]; key: string };
  metrics: HistoryMetrics;
  logger: Logger;
  archiveAfterMs: number;
  intervalMs: number;
  batch: number;
  eventsRetentionMs: number;
  /** Whether the reporting outbox reads the event stream (its cursor then bounds the trim). */
  reportingRuns: boolean;
  retention: RetentionPolicy;
}

/**
 * Moves finished pipelines from Redis to the archive, trims the event stream and runs retention.
 * One replica at a time (a lease). Each move writes the archive first and removes from Redis only
 * once the archive confirmed, so a crash in between repeats the (idempotent) move. The archive
 * being down only makes cycles fail: pipelines never wait for it.
 */
export class Archiver {
  readonly #o: ArchiverOptions;
  readonly #lease: Lease;
  readonly #stop = new AbortController();
  #loop: Promise<void> | undefined;
  #lastRetention = 0;
  #wake: (() => void) | undefined;
  /** Cycles run one after another, never two at once in one process. */
  #running: Promise<unknown> = Promise.resolve();

  constructor(options: ArchiverOptions) {
    this.#o = options;
    const ttl = Math.max(30_000, options.intervalMs * 3);
    this.#lease = new Lease(options.lease.redis, options.lease.key, `${process.pid}-${randomUUID()}`, ttl);
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Runs a cycle now (tests, and the soak bench), after the one under way; resolves when it is done. */
  cycle(): Promise<{ archived: number; backlog: number }> {
    const run = this.#running.then(
      () => this.#cycle(),
      () => this.#cycle(),
    );
    this.#running = run.catch(() => undefined);
    return run;
  }

  async #cycle(): Promise<{ archived: number; backlog: number }> {
    const { history, source, metrics, logger } = this.#o;
    const signal = this.#stop.signal;
    await history.migrate();
    try {
      metrics.eventsTrimmed.inc(await source.trimEvents(this.#o.eventsRetentionMs, this.#o.reportingRuns));
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'archive: trimming the event stream failed');
    }
    const cutoff = new Date(Date.now() - this.#o.archiveAfterMs).toISOString();
    const began = Date.now();
    const { due, backlog } = await source.due(cutoff, this.#o.batch);
    let archived = 0;
    let failed: unknown;
    let renewedAt = Date.now();
    // A few moves at once: each mostly waits on Redis and the archive, so they overlap well.
    const queue = [...due];
    const worker = async () => {
      for (let next = queue.shift(); next !== undefined && failed === undefined; next = queue.shift()) {
        if (signal.aborted) return;
        try {
          // A long cycle keeps its lease, so another replica does not start the same moves.
          if (Date.now() - renewedAt > this.#lease.ttlMs / 3) {
            renewedAt = Date.now();
            await this.#lease.renew();
          }
          await this.#move(next, signal);
          archived += 1;
          metrics.archived.inc();
        } catch (err) {
          failed ??= err;
        }
      }
    };
    await Promise.all(Array.from({ length: movesAtOnce }, worker));
    const left = await source.due(cutoff, 1);
    metrics.backlog.set(left.backlog);
    const oldest = left.oldestFinishedAt === undefined ? undefined : Date.parse(left.oldestFinishedAt);
    metrics.lagSeconds.set(oldest === undefined ? 0 : Math.max(0, (Date.parse(cutoff) - oldest) / 1000));
    if (failed !== undefined) throw failed;
    if (archived > 0)
      logger.debug({ archived, backlog: left.backlog, ms: Date.now() - began }, 'archive: cycle done');
    if (Date.now() - this.#lastRetention >= this.#o.retention.intervalMs) {
      this.#lastRetention = Date.now();
      await runRetention(this.#o.retention, history, this.#o.logs.all, metrics, logger);
      metrics.sizeBytes.set(await history.sizeBytes());
    }
    return { archived, backlog: backlog - archived };
  }

  async #move(due: DueForArchive, signal: AbortSignal): Promise<void> {
    const { source, history, logs } = this.#o;
    const record = await source.record(due.id);
    if (record === undefined) return;
    for (const stage of record.stages) {
      const facts = await source.logFacts(record.id, stage.name);
      if (facts === undefined) continue;
      const stored = await logs.archive.putLog(
        record.id,
        stage.name,
        facts,
        source.logEntries(record.id, stage.name, signal),
        signal,
      );
      await history.putLogInfo(record, stage.name, { ...facts, ...stored, location: logs.location });
    }
    await history.putPipeline({ record, seq: due.seq });
    // Only now, with the archive's confirmation, does Redis let go.
    await source.remove(record);
  }

  async #run(): Promise<void> {
    const { logger, metrics } = this.#o;
    const signal = this.#stop.signal;
    let failures = 0;
    while (!signal.aborted) {
      let wait = this.#o.intervalMs;
      try {
        if (await this.#lease.acquire()) {
          const { backlog } = await this.cycle();
          failures = 0;
          // Behind: go on at once rather than a whole interval later.
          if (backlog > 0) wait = 0;
        }
      } catch (err) {
        if (signal.aborted) break;
        failures += 1;
        metrics.failures.inc();
        wait = Math.min(this.#o.intervalMs * 2 ** Math.min(failures, 5), 5 * 60_000);
        logger.warn(
          { err: (err as Error).message, retryInMs: wait },
          'archive: archival cycle failed; pipelines are unaffected, it retries',
        );
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        delay(wait, undefined, { signal }).then(resolve, resolve);
      });
    }
  }

  /** Starts the next cycle now instead of at the end of the interval. */
  nudge(): void {
    this.#wake?.();
  }

  async close(): Promise<void> {
    this.#stop.abort();
    this.#wake?.();
    await this.#loop;
    await this.#lease.release().catch(() => {});
  }
}
