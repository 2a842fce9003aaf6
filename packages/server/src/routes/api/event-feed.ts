import type { Logger } from '@ferry/shared';
import type { Redis } from 'ioredis';
import { type StreamEntry, toTransition } from '../../reporting/outbox/transition.js';

/**
 * A pipeline, stage or canary-step transition, as the store records it in the `${prefix}:events`
 * stream (read by the same parser as the reporting outbox's, so both see the same entries).
 */
export interface PipelineEvent {
  /** The stream entry id: clients resume after it (Last-Event-ID). */
  cursor: string;
  kind: 'pipeline' | 'stage' | 'canary';
  /** The pipeline id. */
  id: string;
  /** A pipeline's or stage's status; a canary step's state (running, promoted, aborted). */
  status: string;
  stage?: string;
  /** A canary step: its number, how many there are, and its share of the traffic. */
  step?: number;
  of?: number;
  percent?: number;
  at: string;
}

export const eventCursorPattern = /^\d{1,16}-\d{1,8}$/;

/** A stream entry as an event; undefined for entries that are not transitions. */
export function toEvent(entry: StreamEntry): PipelineEvent | undefined {
  const t = toTransition(entry);
  if (t === undefined) return undefined;
  const base = { cursor: t.id, id: t.pipelineId, status: t.status, at: t.at };
  switch (t.kind) {
    case 'pipeline':
      return { ...base, kind: 'pipeline' };
    case 'stage':
      return { ...base, kind: 'stage', stage: t.stage };
    case 'canary':
      return { ...base, kind: 'canary', step: t.step, of: t.of, percent: t.percent };
  }
}

/** Stream ids compare as (milliseconds, sequence). */
export function cursorAfter(a: string, b: string): boolean {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am > bm || (am === bm && as > bs);
}

type Listener = (event: PipelineEvent) => void;

/**
 * One blocking reader of the event stream per server, fanned out to every live subscriber (the
 * dashboard's list and pipeline pages), so a hundred open tabs cost one Redis connection, not a
 * hundred. It reads only while someone listens.
 */
export class PipelineEventFeed {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #logger: Logger;
  readonly #listeners = new Set<Listener>();
  #stop: AbortController | undefined;
  /** Resolves once the current reader knows its position: events from then on reach listeners. */
  #positioned: Promise<void> = Promise.resolve();
  #onPositioned: () => void = () => {};

  constructor(redis: Redis, key: string, logger: Logger) {
    this.#redis = redis;
    this.#key = key;
    this.#logger = logger;
  }

  /** Calls `listener` for every event from now on; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    if (this.#stop === undefined) {
      const stop = new AbortController();
      this.#stop = stop;
      this.#positioned = new Promise((resolve) => {
        this.#onPositioned = resolve;
      });
      void this.#read(stop.signal);
    }
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.#halt();
    };
  }

  /** Resolves when listeners subscribed so far get every event recorded from now on. */
  live(): Promise<void> {
    return this.#positioned;
  }

  /** Events recorded after `cursor` (at most `count`), for a client that resumes. */
  async since(cursor: string, count: number): Promise<PipelineEvent[]> {
    const entries = (await this.#redis.xrange(this.#key, `(${cursor}`, '+', 'COUNT', count)) as StreamEntry[];
    return entries.map(toEvent).filter((e): e is PipelineEvent => e !== undefined);
  }

  close(): void {
    this.#listeners.clear();
    this.#halt();
    this.#onPositioned();
  }

  #halt(): void {
    this.#stop?.abort();
    this.#stop = undefined;
  }

  async #read(signal: AbortSignal): Promise<void> {
    // A blocking read needs a connection of its own; disconnecting it ends the read at once.
    const blocking = this.#redis.duplicate();
    // Failures surface as rejected reads below; the listener keeps ioredis from printing them.
    blocking.on('error', () => {});
    const onAbort = () => blocking.disconnect();
    signal.addEventListener('abort', onAbort, { once: true });
    const positioned = this.#onPositioned;
    signal.addEventListener('abort', positioned, { once: true });
    let position: string | undefined;
    try {
      while (!signal.aborted) {
        try {
          if (position === undefined) {
            const latest = (await this.#redis.xrevrange(this.#key, '+', '-', 'COUNT', 1)) as StreamEntry[];
            position = latest[0]?.[0] ?? '0-0';
            positioned();
          }
          const reply = (await blocking.xread(
            'COUNT',
            500,
            'BLOCK',
            5000,
            'STREAMS',
            this.#key,
            position,
          )) as Array<[string, StreamEntry[]]> | null;
          for (const entry of reply?.[0]?.[1] ?? []) {
            position = entry[0];
            const event = toEvent(entry);
            if (event !== undefined) for (const listener of this.#listeners) listener(event);
          }
        } catch (err) {
          if (signal.aborted) return;
          this.#logger.warn({ err: (err as Error).message }, 'event feed: reading the event stream failed');
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      signal.removeEventListener('abort', positioned);
      blocking.disconnect();
    }
  }
}
