import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '@ferry/shared';
import { Lease } from '../../reporting/outbox/lease.js';
import type { ArchiveMetrics } from '../history-metrics.js';
import type { ArchiveMove, ArchiveMoveLog, HistoryStore, LogArchive } from '../history-store.js';
import { compressEntries, type LogChunkRow } from '../logs/chunk-codec.js';
import type { DueForArchive, RedisLiveSource } from '../redis/redis-live-source.js';
import type { Archival } from './archival.js';
import { type RetentionPolicy, runRetention } from './retention.js';

/** The least wait between cycles woken by pipelines that ended, so one cycle moves several. */
const nudgeGapMs = 200;

/** Pipelines written to the archive in one transaction at most… */
const writeBatch = 16;
/** …or this many bytes of compressed logs. */
const writeBatchBytes = 8 * 1024 * 1024;

function storedBytes(move: ArchiveMove): number {
  let bytes = 0;
  for (const log of move.logs) for (const chunk of log.chunks) bytes += chunk.data.length;
  return bytes;
}

/** How long the oldest of `waiting` has waited past its due time (`dueAt`, ms: now − archiveAfter). */
function lagSeconds(waiting: ReadonlyArray<{ finishedAt?: string | undefined }>, dueAt: number): number {
  let oldest = Number.POSITIVE_INFINITY;
  for (const w of waiting) {
    const at = w.finishedAt === undefined ? Number.NaN : Date.parse(w.finishedAt);
    if (at < oldest) oldest = at;
  }
  return oldest === Number.POSITIVE_INFINITY ? 0 : Math.max(0, (dueAt - oldest) / 1000);
}

/** The archiver's settings (from `history.*`), apart from what it reads and writes. */
export type ArchiverSettings = Pick<
  ArchiverOptions,
  | 'archiveAfterMs'
  | 'intervalMs'
  | 'batch'
  | 'concurrency'
  | 'eventsRetentionMs'
  | 'eventsMaxLength'
  | 'reportingRuns'
  | 'retention'
>;

export interface ArchiverOptions {
  source: RedisLiveSource;
  history: HistoryStore;
  /** Where archived log lines go: the archive database, or a logs directory. */
  logs: { archive: LogArchive; location: 'db' | 'dir'; all: readonly LogArchive[] };
  /**
   * `owner`: who holds the lease; one archiver thread's restarts keep it, so a thread started again
   * after a crash goes on at once instead of waiting for its dead predecessor's lease to expire.
   */
  lease: { redis: ConstructorParameters<typeof Lease>[0]; key: string; owner?: string };
  metrics: ArchiveMetrics;
  logger: Logger;
  archiveAfterMs: number;
  intervalMs: number;
  batch: number;
  /** Pipelines prepared (logs read and compressed) at once. */
  concurrency: number;
  eventsRetentionMs: number;
  /** The event stream's length at most (0: no cap), never cutting what reporting has not read. */
  eventsMaxLength: number;
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
export class Archiver implements Archival {
  readonly #o: ArchiverOptions;
  readonly #lease: Lease;
  readonly #stop = new AbortController();
  #loop: Promise<void> | undefined;
  #lastRetention = 0;
  #wake: (() => void) | undefined;
  #nudged = false;
  /** Cycles run one after another, never two at once in one process. */
  #running: Promise<unknown> = Promise.resolve();

  constructor(options: ArchiverOptions) {
    this.#o = options;
    const ttl = Math.max(30_000, options.intervalMs * 3);
    const owner = options.lease.owner ?? `${process.pid}-${randomUUID()}`;
    this.#lease = new Lease(options.lease.redis, options.lease.key, owner, ttl);
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
      metrics.eventsTrimmed.inc(
        await source.trimEvents(this.#o.eventsRetentionMs, this.#o.reportingRuns, this.#o.eventsMaxLength),
      );
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'archive: trimming the event stream failed');
    }
    const cutoff = new Date(Date.now() - this.#o.archiveAfterMs).toISOString();
    const began = Date.now();
    const { due, backlog } = await source.due(cutoff, this.#o.batch);
    let archived = 0;
    let failed: unknown;
    let renewedAt = Date.now();
    const queue = [...due];
    /** Moves prepared and not yet written: at most writeBatch, plus one per preparing task. */
    let batch: ArchiveMove[] = [];
    let batchBytes = 0;
    /** Archive writes under way: one per preparing task at most (each waits for its own). */
    const writing = new Set<Promise<void>>();
    const progress = () => {
      metrics.backlog.set(Math.max(0, backlog - archived));
      const waiting = [...queue, ...batch.map((m) => m.pipeline.record)];
      metrics.lagSeconds.set(lagSeconds(waiting, Date.parse(cutoff) + (Date.now() - began)));
    };
    // One transaction for several pipelines, then one Redis transaction removing them. Batches are
    // written at once on connections of their own (PostgreSQL's pool; SQLite's one connection takes
    // them in turn), while the next pipelines are read and compressed: a single writer left archival
    // behind production on PostgreSQL.
    const commit = (moves: ArchiveMove[]): Promise<void> => {
      const write = (async () => {
        if (failed !== undefined || moves.length === 0) return;
        try {
          await history.putMoves(moves);
          // Only now, with the archive's confirmation, does Redis let go.
          await source.remove(moves.map((m) => m.pipeline.record));
          archived += moves.length;
          metrics.archived.inc(moves.length);
          progress();
        } catch (err) {
          failed ??= err;
        }
      })();
      writing.add(write);
      return write.finally(() => writing.delete(write));
    };
    const worker = async () => {
      for (let next = queue.shift(); next !== undefined && failed === undefined; next = queue.shift()) {
        if (signal.aborted) return;
        try {
          // A long cycle keeps its lease, so another replica does not start the same moves.
          if (Date.now() - renewedAt > this.#lease.ttlMs / 3) {
            renewedAt = Date.now();
            await this.#lease.renew();
          }
          const move = await this.#prepare(next, signal);
          if (move === undefined) continue;
          batch.push(move);
          batchBytes += storedBytes(move);
          if (batch.length >= writeBatch || batchBytes >= writeBatchBytes) {
            const moves = batch;
            batch = [];
            batchBytes = 0;
            // Waiting for the write holds this task back: memory stays bounded.
            await commit(moves);
          }
        } catch (err) {
          failed ??= err;
        }
      }
    };
    await Promise.all(Array.from({ length: this.#o.concurrency }, worker));
    await commit(batch);
    await Promise.all(writing);
    const left = await source.due(cutoff, 1);
    metrics.backlog.set(left.backlog);
    metrics.lagSeconds.set(lagSeconds([{ finishedAt: left.oldestFinishedAt }], Date.parse(cutoff)));
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

  /**
   * Reads a finished pipeline out of Redis for the archive: its record, and each stage log
   * compressed (zlib on the thread pool) or written to the logs directory. Writes nothing to the
   * archive database: the caller does, several pipelines in one transaction.
   */
  async #prepare(due: DueForArchive, signal: AbortSignal): Promise<ArchiveMove | undefined> {
    const { source, logs } = this.#o;
    const record = await source.record(due.id);
    if (record === undefined) return undefined;
    const moved: ArchiveMoveLog[] = [];
    for (const stage of record.stages) {
      const facts = await source.logFacts(record.id, stage.name);
      if (facts === undefined) continue;
      const entries = source.logEntries(record.id, stage.name, signal);
      if (logs.location === 'dir') {
        const stored = await logs.archive.putLog(record.id, stage.name, facts, entries, signal);
        moved.push({ stage: stage.name, info: { ...facts, ...stored, location: 'dir' }, chunks: [] });
        continue;
      }
      const chunks: LogChunkRow[] = [];
      let rawBytes = 0;
      let stored = 0;
      for await (const chunk of compressEntries(entries)) {
        chunks.push(chunk);
        rawBytes += chunk.rawBytes;
        stored += chunk.data.length;
      }
      moved.push({
        stage: stage.name,
        info: { ...facts, rawBytes, storedBytes: stored, location: 'db' },
        chunks,
      });
    }
    return { pipeline: { record, seq: due.seq }, logs: moved };
  }

  async #run(): Promise<void> {
    const { logger, metrics } = this.#o;
    const signal = this.#stop.signal;
    let failures = 0;
    while (!signal.aborted) {
      let wait = this.#o.intervalMs;
      // Pipelines that end from now on wake the loop again (see pipelineFinished).
      this.#nudged = false;
      try {
        if (await this.#lease.acquire()) {
          const { backlog } = await this.cycle();
          failures = 0;
          // Behind: go on at once rather than a whole interval later.
          if (backlog > 0) wait = 0;
          // Pipelines ended during the cycle: the next one soon, with a short gap to gather a batch.
          else if (this.#nudged) wait = Math.min(wait, nudgeGapMs);
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
      // After a failure the backoff holds: pipelines that end meanwhile do not cut it short.
      await this.#sleep(wait, failures === 0);
    }
  }

  /** Waits `ms`, or less when closed (or nudged, if `wakeable`). */
  async #sleep(ms: number, wakeable: boolean): Promise<void> {
    // Closed during the cycle: an abort listener added now would never fire.
    if (this.#stop.signal.aborted) return;
    const waking = new AbortController();
    const stop = () => waking.abort();
    this.#stop.signal.addEventListener('abort', stop, { once: true });
    if (wakeable) this.#wake = stop;
    try {
      await delay(ms, undefined, { signal: waking.signal });
    } catch {
      // Woken early.
    } finally {
      this.#stop.signal.removeEventListener('abort', stop);
      this.#wake = undefined;
    }
  }

  /** Starts the next cycle now instead of at the end of the interval. */
  nudge(): void {
    this.#nudged = true;
    this.#wake?.();
  }

  /**
   * A pipeline ended: it is due `history.archiveAfter` from now. When that comes before the next
   * interval, the archiver is woken then, so pipelines are archived as they end (archiveAfter 0s)
   * instead of up to an interval later.
   */
  pipelineFinished(): void {
    const after = this.#o.archiveAfterMs;
    if (after >= this.#o.intervalMs || this.#stop.signal.aborted) return;
    if (after <= 0) this.nudge();
    else setTimeout(() => this.nudge(), after).unref();
  }

  async close(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
    await this.#lease.release().catch(() => {});
  }
}
