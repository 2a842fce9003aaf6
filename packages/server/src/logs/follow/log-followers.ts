import type { Logger, LogLine } from '@ferry/shared';
import type { Redis } from 'ioredis';
import type { LogChunk, LogStore } from '../log-store.js';
import { decodeEntry } from '../redis/log-entry.js';
import { type StreamEntry, StreamReader } from './stream-reader.js';

export interface LogFollowersOptions {
  redis: Redis;
  logger: Logger;
  /** Where the logs are read (live or archived) for catching up and for the end. */
  logs: LogStore;
  /** A stage log's stream and meta keys in Redis. */
  keys: {
    log(pipelineId: string, stage: string): string;
    logMeta(pipelineId: string, stage: string): string;
  };
  /** Whether a stage log will get no more lines (stage ended, disabled, pipeline over: `stageSettled`). */
  settled(pipelineId: string, stage: string): Promise<boolean>;
  /** How often each followed log is checked for a stage that ended without closing its log (default 2 s). */
  checkMs?: number;
  /**
   * New entries of a log are handed to its followers at most this often (default 200 ms), as one
   * chunk: at thousands of followers a frame per entry per follower costs more than the delay.
   */
  fanoutMs?: number;
}

/** What a log's channel hands each of its followers. */
type ChannelEvent =
  | {
      kind: 'lines';
      entries: Array<{ id: string; lines: LogLine[] }>;
      /** All the entries as one chunk, the same object for every follower that takes them all. */
      chunk: LogChunk;
    }
  | { kind: 'end' };

interface Follower {
  push(event: ChannelEvent): void;
}

interface Channel {
  pipelineId: string;
  stage: string;
  key: string;
  metaKey: string;
  followers: Set<Follower>;
  /** Resolves once the reader watches the key from a known position. */
  ready: Promise<void>;
  checkedAt: number;
  checking: boolean;
  /** Entries read but not yet handed out (see `fanoutMs`), and the timer that will. */
  pending: StreamEntry[];
  flushing: NodeJS.Timeout | undefined;
}

/** A follower that falls this many events behind reads from the store instead (bounded memory). */
const maxQueued = 256;

/** Stream ids compare as (milliseconds, sequence); `-` is before every entry. */
function after(a: string, b: string): boolean {
  if (b === '-') return true;
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am > bm || (am === bm && as > bs);
}

/**
 * The `lines` events at the head of `queue` as one chunk of what is after `position` (undefined:
 * none is new). A follower that is up to date gets the channel's own chunk object, shared by every
 * such follower (the route encodes it once); one that has fallen behind gets them merged.
 */
function takeLines(queue: ChannelEvent[], position: string): LogChunk | undefined {
  const taken: Array<Extract<ChannelEvent, { kind: 'lines' }>> = [];
  while (queue[0]?.kind === 'lines') taken.push(queue.shift() as Extract<ChannelEvent, { kind: 'lines' }>);
  const first = taken[0];
  if (first === undefined) return undefined;
  if (taken.length === 1 && after(first.entries[0]!.id, position)) return first.chunk;
  const fresh = taken.flatMap((e) => e.entries).filter((e) => after(e.id, position));
  if (fresh.length === 0) return undefined;
  const last = taken.at(-1)!.chunk;
  const chunk: LogChunk = {
    lines: fresh.flatMap((e) => e.lines),
    cursor: fresh.at(-1)!.id,
    done: false,
    droppedBytes: last.droppedBytes,
  };
  if (last.droppedAfter !== undefined) chunk.droppedAfter = last.droppedAfter;
  return chunk;
}

/**
 * Live followers of stage logs, served from one Redis reader for all of them: each followed log is
 * a channel that one blocking XREAD (over every followed log, on one connection) feeds; its new
 * entries and the log's meta are read once and fanned out in the process to every follower of that
 * log. A follower first catches up from the store, then takes the channel's entries after its
 * cursor. A channel ends its followers when the log is complete or its stage can no longer write
 * (ended, disabled, pipeline over), checked every `checkMs`.
 */
export class LogFollowers {
  readonly #o: LogFollowersOptions;
  readonly #reader: StreamReader;
  readonly #channels = new Map<string, Channel>();
  readonly #byKey = new Map<string, Channel>();

  constructor(options: LogFollowersOptions) {
    this.#o = options;
    this.#reader = new StreamReader({
      redis: options.redis,
      logger: options.logger,
      blockMs: options.checkMs ?? 2000,
      onEntries: (key, entries) => this.#deliver(key, entries),
      onTick: () => this.#check(),
    });
  }

  /** Logs followed now (channels), for tests and metrics. */
  get followedLogs(): number {
    return this.#channels.size;
  }

  /**
   * Yields a stage log's chunks from `cursor` as they come, until the log is complete (the last
   * chunk has `done`), its stage can no longer write, or `signal` aborts. `settled`: the caller
   * just found the stage can no longer write, so the log is read to its end at once.
   */
  async *follow(
    pipelineId: string,
    stage: string,
    signal: AbortSignal,
    cursor = '-',
    settled = false,
  ): AsyncGenerator<LogChunk> {
    let position = cursor;
    if (settled) {
      yield* this.#rest(pipelineId, stage, position, signal);
      return;
    }
    const queue: ChannelEvent[] = [];
    let behind = false;
    let wake: (() => void) | undefined;
    const follower: Follower = {
      push(event) {
        if (queue.length >= maxQueued && event.kind === 'lines') {
          behind = true;
          queue.length = 0;
        } else {
          queue.push(event);
        }
        wake?.();
      },
    };
    const onAbort = () => wake?.();
    signal.addEventListener('abort', onAbort, { once: true });
    const channel = this.#join(pipelineId, stage, follower);
    try {
      await channel.ready;
      let catchUp = true;
      for (;;) {
        if (signal.aborted) return;
        if (catchUp) {
          catchUp = false;
          for (;;) {
            const chunk = await this.#o.logs.read(pipelineId, stage, position);
            if (chunk.lines.length === 0 && !chunk.done) break;
            position = chunk.cursor;
            yield chunk;
            if (chunk.done) return;
          }
        }
        if (queue.length === 0) {
          if (behind) {
            behind = false;
            catchUp = true;
            continue;
          }
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = undefined;
          continue;
        }
        const chunk = takeLines(queue, position);
        if (chunk !== undefined) {
          position = chunk.cursor;
          yield chunk;
          continue;
        }
        if (queue[0]?.kind === 'end') {
          yield* this.#rest(pipelineId, stage, position, signal);
          return;
        }
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.#leave(channel, follower);
    }
  }

  /** Ends every follower (server shutdown) and closes the reader's connection. */
  async close(): Promise<void> {
    for (const channel of this.#channels.values()) this.#end(channel);
    await this.#reader.close();
  }

  /** What is left of a log that will not grow: read to its last entry, then done. */
  async *#rest(
    pipelineId: string,
    stage: string,
    from: string,
    signal: AbortSignal,
  ): AsyncGenerator<LogChunk> {
    let position = from;
    for (;;) {
      if (signal.aborted) return;
      const chunk = await this.#o.logs.read(pipelineId, stage, position);
      const last = chunk.lines.length === 0 || chunk.done;
      position = chunk.cursor;
      yield { ...chunk, done: last };
      if (last) return;
    }
  }

  #join(pipelineId: string, stage: string, follower: Follower): Channel {
    const id = `${pipelineId}\n${stage}`;
    let channel = this.#channels.get(id);
    if (channel === undefined) {
      const key = this.#o.keys.log(pipelineId, stage);
      const created: Channel = {
        pipelineId,
        stage,
        key,
        metaKey: this.#o.keys.logMeta(pipelineId, stage),
        followers: new Set(),
        ready: Promise.resolve(),
        checkedAt: Date.now(),
        checking: false,
        pending: [],
        flushing: undefined,
      };
      // The reader starts after the newest entry now: followers catch up to here from the store.
      created.ready = this.#o.redis.xrevrange(key, '+', '-', 'COUNT', 1).then(
        (latest) => {
          if (this.#channels.get(id) === created) this.#reader.add(key, latest[0]?.[0] ?? '0-0');
        },
        (err: unknown) => {
          this.#end(created);
          throw err;
        },
      );
      created.ready.catch(() => undefined);
      this.#channels.set(id, created);
      this.#byKey.set(key, created);
      channel = created;
    }
    channel.followers.add(follower);
    return channel;
  }

  #leave(channel: Channel, follower: Follower): void {
    channel.followers.delete(follower);
    if (channel.followers.size === 0) this.#drop(channel);
  }

  #drop(channel: Channel): void {
    clearTimeout(channel.flushing);
    const id = `${channel.pipelineId}\n${channel.stage}`;
    if (this.#channels.get(id) !== channel) return;
    this.#channels.delete(id);
    this.#byKey.delete(channel.key);
    this.#reader.remove(channel.key);
  }

  #end(channel: Channel): void {
    this.#drop(channel);
    for (const follower of channel.followers) follower.push({ kind: 'end' });
  }

  #deliver(key: string, raw: StreamEntry[]): void {
    const channel = this.#byKey.get(key);
    if (channel === undefined) return;
    channel.pending.push(...raw);
    channel.flushing ??= setTimeout(() => this.#fanOut(channel), this.#o.fanoutMs ?? 200);
  }

  #fanOut(channel: Channel): void {
    channel.flushing = undefined;
    const raw = channel.pending.splice(0);
    if (raw.length === 0 || this.#byKey.get(channel.key) !== channel) return;
    const entries = raw.map(([id, fields]) => ({ id, lines: decodeEntry(fields) }));
    const lines = entries.flatMap((e) => e.lines);
    const cursor = entries.at(-1)!.id;
    const send = (chunk: LogChunk) => {
      const event: ChannelEvent = { kind: 'lines', entries, chunk };
      for (const follower of channel.followers) follower.push(event);
    };
    // The meta (dropped bytes, done) once per read for the log, not once per follower.
    this.#o.redis.hgetall(channel.metaKey).then(
      (meta) => {
        const chunk: LogChunk = { lines, cursor, done: false, droppedBytes: Number(meta.dropped ?? 0) };
        if (meta.droppedAfter !== undefined) chunk.droppedAfter = Number(meta.droppedAfter);
        send(chunk);
        if (meta.done === '1') this.#end(channel);
      },
      // Redis went away between the read and this: the lines still go out (the dropped size is unknown).
      () => send({ lines, cursor, done: false, droppedBytes: 0 }),
    );
  }

  /** Ends the channels of logs that are complete or whose stage can no longer write. */
  #check(): void {
    const now = Date.now();
    const every = this.#o.checkMs ?? 2000;
    for (const channel of this.#channels.values()) {
      if (channel.checking || now - channel.checkedAt < every) continue;
      channel.checking = true;
      channel.checkedAt = now;
      void Promise.all([
        this.#o.redis.hget(channel.metaKey, 'done'),
        this.#o.settled(channel.pipelineId, channel.stage),
      ])
        .then(([done, settled]) => {
          if (done === '1' || settled) this.#end(channel);
        })
        .catch((err: unknown) => {
          this.#o.logger.debug({ err: (err as Error).message }, 'log followers: checking a stage failed');
        })
        .finally(() => {
          channel.checking = false;
        });
    }
  }
}
