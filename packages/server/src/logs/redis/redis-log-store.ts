import type { Redis } from 'ioredis';
import type { LogStream } from '../log-sink.js';
import { type LogChunk, type LogLine, type LogStore, type StageLogWriter, streamCode } from '../log-store.js';
import { countLines, decodeEntry, encodeRuns, type LogRun, RUNS_FIELD } from './log-entry.js';

export interface RedisLogStoreOptions {
  prefix: string;
  /** Per-stage cap in bytes of text; the first half and the last half are kept. */
  capBytes: number;
  /** How often held output is written (live followers see lines within this, plus Redis). */
  flushMs?: number;
  /** A batch is written when it reaches this many bytes, without waiting for the timer. */
  batchBytes?: number;
  /**
   * Past the head, how long a batch waits before it is written: when more than half a cap of newer
   * output comes within this time, it is the middle and is dropped without ever being written.
   */
  tailHoldMs?: number;
  /** How long a stage log lives after it is complete. */
  ttlSeconds?: number;
}

interface Batch {
  runs: LogRun[];
  bytes: number;
  /** The number of its last line. */
  last: number;
  /** When it was queued for Redis (performance.now(): a clock set back never stretches the hold). */
  at: number;
}

/**
 * Stage logs in Redis: one stream per stage, each entry a batch of lines (as runs, `log-entry.ts`).
 * Once the head (half the cap) is full, a batch waits `tailHoldMs` before it is written, and older
 * tail entries are deleted as new ones arrive (XDEL), so the head and the tail survive and the
 * middle is dropped, with the dropped size recorded for the marker. Output faster than half a cap
 * per `tailHoldMs` never reaches Redis in the middle: it is dropped while it waits.
 */
export class RedisLogStore implements LogStore {
  readonly #redis: Redis;
  readonly #options: Required<RedisLogStoreOptions>;

  constructor(redis: Redis, options: RedisLogStoreOptions) {
    this.#redis = redis;
    // Batches stay small next to the cap, so the head and the tail are cut at batch boundaries close to half.
    const batchBytes = Math.max(1024, Math.min(64 * 1024, Math.floor(options.capBytes / 16)));
    this.#options = { flushMs: 50, batchBytes, tailHoldMs: 200, ttlSeconds: 30 * 24 * 3600, ...options };
  }

  #key(pipelineId: string, stage: string) {
    const base = `${this.#options.prefix}:log:${pipelineId}:${stage}`;
    return { stream: base, meta: `${base}:meta` };
  }

  writer(pipelineId: string, stage: string): StageLogWriter {
    const keys = this.#key(pipelineId, stage);
    const redis = this.#redis;
    const { capBytes, flushMs, batchBytes, tailHoldMs, ttlSeconds } = this.#options;
    const half = Math.floor(capBytes / 2);
    const partial = new Map<LogStream, string>();
    let batch: Batch = { runs: [], bytes: 0, last: -1, at: 0 };
    let n = 0;
    let headBytes = 0;
    let headFull = false;
    let tailBytes = 0;
    let dropped = 0;
    let droppedAfter = -1;
    const tail: Array<{ id: string; bytes: number; last: number }> = [];
    // Batches wait here for Redis. Memory stays bounded: once the head is stored, more than half a
    // cap of waiting output would be deleted as soon as it was written, so it is dropped before.
    const queue: Batch[] = [];
    let queuedBytes = 0;
    let draining: Promise<void> | undefined;
    // Ends the drain's wait for the oldest batch's hold (the writer closes, or too much is waiting).
    let wake: (() => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    let closed = false;
    let failure: unknown;

    const persist = (b: Batch): Promise<void> =>
      (async () => {
        const id = (await redis.xadd(keys.stream, '*', RUNS_FIELD, encodeRuns(b.runs))) as string;
        const { last } = b;
        if (!headFull) {
          headBytes += b.bytes;
          if (headBytes >= half) {
            headFull = true;
            await redis.hset(keys.meta, 'headEnd', String(last));
          }
          return;
        }
        tail.push({ id, bytes: b.bytes, last });
        tailBytes += b.bytes;
        const gone: string[] = [];
        while (tailBytes > half && tail.length > 1) {
          const old = tail.shift()!;
          tailBytes -= old.bytes;
          dropped += old.bytes;
          droppedAfter =
            droppedAfter === -1 ? Number((await redis.hget(keys.meta, 'headEnd')) ?? -1) : droppedAfter;
          gone.push(old.id);
        }
        if (gone.length > 0) {
          await redis
            .multi()
            .xdel(keys.stream, ...gone)
            .hset(keys.meta, 'dropped', String(dropped), 'droppedAfter', String(droppedAfter))
            .exec();
        }
      })();

    const dropWaiting = async () => {
      let bytes = 0;
      while (queue.length > 1 && queuedBytes > half) {
        const old = queue.shift()!;
        queuedBytes -= old.bytes;
        bytes += old.bytes;
      }
      // What is stored of the tail is older than what was just dropped: it goes too, so the log
      // has one gap, right after the head.
      const stored = tail.splice(0);
      for (const t of stored) bytes += t.bytes;
      tailBytes = 0;
      dropped += bytes;
      if (droppedAfter === -1) droppedAfter = Number((await redis.hget(keys.meta, 'headEnd')) ?? -1);
      const multi = redis.multi();
      if (stored.length > 0) multi.xdel(keys.stream, ...stored.map((t) => t.id));
      await multi.hset(keys.meta, 'dropped', String(dropped), 'droppedAfter', String(droppedAfter)).exec();
    };

    const hold = (ms: number) =>
      new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timeout);
          wake = undefined;
          resolve();
        };
        const timeout = setTimeout(done, ms);
        wake = done;
      });

    const drain = async () => {
      try {
        while (queue.length > 0) {
          if (headFull && queuedBytes > half) await dropWaiting();
          const waitMs = headFull && !closed ? queue[0]!.at + tailHoldMs - performance.now() : 0;
          if (waitMs > 0) {
            await hold(waitMs);
            continue;
          }
          const b = queue.shift()!;
          queuedBytes -= b.bytes;
          await persist(b);
        }
      } catch (err) {
        failure = err;
        queue.length = 0;
        queuedBytes = 0;
      } finally {
        draining = undefined;
      }
    };

    const flush = () => {
      if (timer !== undefined) {
        clearTimeout(timer);
        timer = undefined;
      }
      if (batch.runs.length === 0) return;
      batch.at = performance.now();
      queue.push(batch);
      queuedBytes += batch.bytes;
      batch = { runs: [], bytes: 0, last: -1, at: 0 };
      if (queuedBytes > half) wake?.();
      draining ??= drain();
    };

    // Lines of one stream, complete now, joined by newlines: appended to the batch's last run when
    // that is the same stream and moment, else a run of their own.
    const addRun = (s: LogLine['s'], text: string) => {
      const t = Date.now();
      const run = batch.runs.at(-1);
      if (run !== undefined && run[2] === s && run[1] === t) run[3] += `\n${text}`;
      else batch.runs.push([n, t, s, text]);
      n += countLines(text);
      batch.last = n - 1;
      batch.bytes += text.length + 1;
    };

    // Each line counts its text and its newline; a batch is written once it reaches batchBytes, so
    // `text` is cut after the line that reaches it (the head and the tail are cut at batches).
    const push = (s: LogLine['s'], text: string) => {
      let start = 0;
      for (;;) {
        const end = text.indexOf('\n', start + batchBytes - batch.bytes - 1);
        addRun(s, end === -1 ? text.slice(start) : text.slice(start, end));
        if (batch.bytes >= batchBytes) flush();
        if (end === -1) break;
        start = end + 1;
      }
      if (batch.runs.length > 0 && timer === undefined) timer = setTimeout(flush, flushMs);
    };

    const writer: StageLogWriter = {
      write(stream: LogStream, chunk: string) {
        if (closed) return;
        const text = (partial.get(stream) ?? '') + chunk;
        const end = text.lastIndexOf('\n');
        if (end !== -1) push(streamCode[stream], withoutLineEndCarriageReturns(text.slice(0, end)));
        const rest = end === -1 ? text : text.slice(end + 1);
        // A line with no newline yet still shows up (a progress bar), once it is long or on the timer.
        if (rest.length > 8192) {
          push(streamCode[stream], rest);
          partial.set(stream, '');
        } else {
          partial.set(stream, rest);
          if (rest.length > 0 && timer === undefined) timer = setTimeout(flushPartials, flushMs);
        }
      },
      system(text: string) {
        if (closed) return;
        // Output that came before it stays before it, also a last line without its newline.
        pushPartials();
        push('s', text);
      },
      async close() {
        if (closed) return;
        flushPartials();
        closed = true;
        flush();
        wake?.();
        while (draining !== undefined) await draining;
        // An empty last entry with the done mark, in one transaction: the followers' reader wakes
        // on the entry and finds the log complete (logs/follow/).
        await redis
          .multi()
          .xadd(keys.stream, '*', RUNS_FIELD, encodeRuns([]))
          .hset(keys.meta, 'done', '1', 'lines', String(n))
          .expire(keys.stream, ttlSeconds)
          .expire(keys.meta, ttlSeconds)
          .exec();
        if (failure !== undefined) throw failure;
      },
    };

    function pushPartials() {
      for (const [stream, rest] of partial) {
        if (rest.length > 0) push(streamCode[stream], rest);
        partial.set(stream, '');
      }
    }

    function flushPartials() {
      pushPartials();
      flush();
    }

    return writer;
  }

  async read(pipelineId: string, stage: string, cursor = '-', limit = 10_000): Promise<LogChunk> {
    const keys = this.#key(pipelineId, stage);
    const start = cursor === '-' ? '-' : `(${cursor}`;
    const [entries, meta] = await Promise.all([
      this.#redis.xrange(keys.stream, start, '+', 'COUNT', Math.max(1, Math.ceil(limit / 100))),
      this.#redis.hgetall(keys.meta),
    ]);
    const lines: LogLine[] = [];
    let last = cursor;
    for (const [id, fields] of entries) {
      for (const line of decodeEntry(fields)) lines.push(line);
      last = id;
    }
    const done =
      meta.done === '1' &&
      (entries.length === 0 ||
        (await this.#redis.xrange(keys.stream, `(${last}`, '+', 'COUNT', 1)).length === 0);
    const chunk: LogChunk = { lines, cursor: last, done, droppedBytes: Number(meta.dropped ?? 0) };
    if (meta.droppedAfter !== undefined) chunk.droppedAfter = Number(meta.droppedAfter);
    return chunk;
  }
}

/** Lines joined by newlines, each without the carriage return that ended it (`\r\n` output). */
function withoutLineEndCarriageReturns(text: string): string {
  return text.includes('\r') ? text.replace(/\r(?=\n|$)/g, '') : text;
}
