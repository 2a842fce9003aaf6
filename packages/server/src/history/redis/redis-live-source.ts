import { isTerminalPipeline, type PipelineRecord, type PipelineStatus } from '@ferry/shared';
import type { Redis } from 'ioredis';
import { entryJson } from '../../logs/redis/log-entry.js';
import type { ArchivedReportingMarks } from '../../reporting/forget-archived.js';
import type { PipelineStore } from '../../store/pipeline-store.js';
import type { RawLogEntry, StageLogFacts } from '../history-store.js';
import type { LiveKeys } from './redis-live-keys.js';

/** Stream entries read at once while archiving a log (a runner's entries are up to ~16 KiB each). */
const logPage = 100;
const emptyLines = Buffer.from('[]');

/** A finished pipeline still in Redis whose time to move has come. */
export interface DueForArchive {
  id: string;
  seq: number;
  finishedAt: string;
}

/**
 * What the archiver needs of Redis: the finished pipelines due to move (oldest first), their logs
 * read lazily, and their removal once the archive has confirmed them.
 */
export class RedisLiveSource {
  readonly #redis: Redis;
  readonly #keys: LiveKeys;
  readonly #store: PipelineStore;
  readonly #marks: ArchivedReportingMarks | undefined;

  /** `marks`: reporting's per-pipeline keys, removed with the pipeline. */
  constructor(redis: Redis, keys: LiveKeys, store: PipelineStore, marks?: ArchivedReportingMarks) {
    this.#redis = redis;
    this.#keys = keys;
    this.#store = store;
    this.#marks = marks;
  }

  /**
   * Finished pipelines that finished before `cutoff`, oldest admitted first, at most `limit`. Also
   * counts every finished pipeline in Redis that is due (the backlog) and the oldest one's finish.
   */
  async due(
    cutoff: string,
    limit: number,
  ): Promise<{ due: DueForArchive[]; backlog: number; oldestFinishedAt?: string }> {
    const due: DueForArchive[] = [];
    let backlog = 0;
    let oldestFinishedAt: string | undefined;
    const page = 500;
    for (let start = 0; ; start += page) {
      const ids = await this.#redis.zrange(this.#keys.indexAll, start, start + page - 1, 'WITHSCORES');
      if (ids.length === 0) break;
      const pipe = this.#redis.pipeline();
      for (let i = 0; i < ids.length; i += 2)
        pipe.hmget(this.#keys.pipeline(ids[i]!), 'status', 'finishedAt');
      const replies = (await pipe.exec()) ?? [];
      replies.forEach(([err, value], i) => {
        if (err !== null) return;
        const [status, finishedAt] = value as [string | null, string | null];
        const id = ids[i * 2]!;
        const seq = Number(ids[i * 2 + 1]);
        // A hash gone (archived by another replica meanwhile) or no finish time: not due.
        if (status === null || !isTerminalPipeline(status as PipelineStatus)) return;
        const finished = finishedAt ?? '';
        if (finished > cutoff) return;
        backlog += 1;
        if (oldestFinishedAt === undefined || finished < oldestFinishedAt) oldestFinishedAt = finished;
        if (due.length < limit) due.push({ id, seq, finishedAt: finished });
      });
      if (ids.length < page * 2) break;
    }
    return oldestFinishedAt === undefined ? { due, backlog } : { due, backlog, oldestFinishedAt };
  }

  record(id: string): Promise<PipelineRecord | undefined> {
    return this.#store.get(id);
  }

  /** A stage log's facts, or undefined when Redis holds no log for it. */
  async logFacts(pipelineId: string, stage: string): Promise<StageLogFacts | undefined> {
    const [meta, length] = await Promise.all([
      this.#redis.hgetall(this.#keys.logMeta(pipelineId, stage)),
      this.#redis.xlen(this.#keys.log(pipelineId, stage)),
    ]);
    if (length === 0 && Object.keys(meta).length === 0) return undefined;
    const facts: StageLogFacts = { lines: Number(meta.lines ?? 0), droppedBytes: Number(meta.dropped ?? 0) };
    if (meta.droppedAfter !== undefined) facts.droppedAfter = Number(meta.droppedAfter);
    return facts;
  }

  /**
   * A stage log's entries, oldest first, a page at a time (never the whole log at once), as Redis
   * holds them: the lines' JSON as bytes (runs written as lines, `logs/redis/log-entry.ts`).
   */
  async *logEntries(pipelineId: string, stage: string, signal?: AbortSignal): AsyncGenerator<RawLogEntry> {
    const key = this.#keys.log(pipelineId, stage);
    let start = '-';
    for (;;) {
      signal?.throwIfAborted();
      const page = (await this.#redis.xrangeBuffer(key, start, '+', 'COUNT', logPage)) as Array<
        [Buffer, Buffer[]]
      >;
      for (const [rawId, fields] of page) {
        const id = rawId.toString('latin1');
        yield [id, entryJson(fields) ?? emptyLines];
        start = `(${id}`;
      }
      if (page.length < logPage) return;
    }
  }

  /** Removes archived pipelines, their logs and their reporting marks from Redis, in one transaction. */
  async remove(records: readonly PipelineRecord[]): Promise<void> {
    if (records.length === 0) return;
    const k = this.#keys;
    const multi = this.#redis.multi();
    for (const record of records) {
      multi
        .del(k.pipeline(record.id))
        .zrem(k.indexAll, record.id)
        .zrem(k.indexProject(record.project.id), record.id)
        .srem(k.active, record.id);
      for (const stage of record.stages)
        multi.del(k.log(record.id, stage.name), k.logMeta(record.id, stage.name));
      this.#marks?.addTo(multi, record);
    }
    await multi.exec();
  }

  /**
   * Trims the event stream: entries older than `keepAfterMs` ago that every consumer has read (the
   * reporting outbox's cursor, when reporting runs) go; and past `maxEntries` (0: no cap) the oldest
   * go too, down to what reporting has not read: the newest `maxEntries` stay, or, while reporting is
   * further behind than that, every entry it has not read (and none it has). Returns how many went.
   */
  async trimEvents(keepAfterMs: number, reportingRuns: boolean, maxEntries = 0): Promise<number> {
    const events = this.#keys.events;
    let min = `${Date.now() - keepAfterMs}-0`;
    let cursor: string | undefined;
    if (reportingRuns) {
      const read = await this.#redis.get(this.#keys.reportingCursor);
      // No cursor yet: reporting has not started reading; keep everything for it.
      if (read === null) return 0;
      cursor = read;
      if (olderId(cursor, min)) min = cursor;
    }
    let trimmed = (await this.#redis.xtrim(events, 'MINID', min)) as number;
    if (maxEntries > 0 && (await this.#redis.xlen(events)) > maxEntries) {
      // Unread entries are the newest: when there are no more than maxEntries of them (reporting
      // keeps up), keeping the newest maxEntries keeps them all. Normally this reads a handful.
      const unread =
        cursor === undefined
          ? []
          : await this.#redis.xrange(events, `(${cursor}`, '+', 'COUNT', maxEntries + 1);
      const firstUnread = unread[0]?.[0];
      trimmed += (
        unread.length <= maxEntries || firstUnread === undefined
          ? await this.#redis.xtrim(events, 'MAXLEN', maxEntries)
          : await this.#redis.xtrim(events, 'MINID', firstUnread)
      ) as number;
    }
    return trimmed;
  }
}

function olderId(a: string, b: string): boolean {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am < bm || (am === bm && as < bs);
}
