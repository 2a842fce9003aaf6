import type { Logger } from '@ferry/shared';
import type { Redis } from 'ioredis';

/** A Redis stream entry as XREAD and XRANGE return it. */
export type StreamEntry = [id: string, fields: string[]];

export interface StreamReaderOptions {
  /** The shared request connection: the reader duplicates it for its blocking reads. */
  redis: Redis;
  logger: Logger;
  /** New entries of a watched key, in order. */
  onEntries(key: string, entries: StreamEntry[]): void;
  /** Called after every read (entries or not), at least every `blockMs`. */
  onTick(): void;
  /** Longest a blocking read waits (default 2000 ms). */
  blockMs?: number;
}

/**
 * One blocking XREAD over every watched stream key, on one dedicated connection, however many keys
 * and listeners there are: Redis sees one client. A key added while a read blocks unblocks it
 * (CLIENT UNBLOCK from the shared connection), so the next read includes it at once. The connection
 * is opened while some key is watched and closed when none is.
 */
export class StreamReader {
  readonly #o: StreamReaderOptions;
  readonly #positions = new Map<string, string>();
  #loop: Promise<void> | undefined;
  #connection: Redis | undefined;
  #clientId: number | undefined;
  #blocked = false;
  #closed = false;

  constructor(options: StreamReaderOptions) {
    this.#o = options;
  }

  /** Watches `key` for entries after `from` (a stream id). */
  add(key: string, from: string): void {
    if (this.#closed) return;
    this.#positions.set(key, from);
    if (this.#loop === undefined) this.#start();
    else this.#wake();
  }

  remove(key: string): void {
    this.#positions.delete(key);
    if (this.#positions.size === 0) this.#connection?.disconnect();
  }

  /** How many keys are watched (for metrics and tests). */
  get size(): number {
    return this.#positions.size;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#positions.clear();
    this.#connection?.disconnect();
    await this.#loop;
  }

  #start(): void {
    this.#loop = this.#run().finally(() => {
      this.#loop = undefined;
      // Keys added while the last connection was closing.
      if (this.#positions.size > 0 && !this.#closed) this.#start();
    });
  }

  #wake(): void {
    if (!this.#blocked || this.#clientId === undefined) return;
    // A reader that is not blocked (or whose id is unknown) picks the key up on its next read.
    this.#o.redis.client('UNBLOCK', this.#clientId).catch(() => undefined);
  }

  async #run(): Promise<void> {
    const connection = this.#o.redis.duplicate({ connectionName: 'ferry-log-followers' });
    this.#connection = connection;
    // Failures surface as rejected reads below; the listener keeps ioredis from printing them.
    connection.on('error', () => {});
    connection.on('close', () => {
      this.#clientId = undefined;
    });
    const blockMs = this.#o.blockMs ?? 2000;
    try {
      while (this.#positions.size > 0 && !this.#closed) {
        try {
          this.#clientId ??= Number(await connection.client('ID'));
          const keys = [...this.#positions.keys()];
          const ids = keys.map((k) => this.#positions.get(k)!);
          this.#blocked = true;
          const reply = (await connection.xread(
            'COUNT',
            1000,
            'BLOCK',
            blockMs,
            'STREAMS',
            ...keys,
            ...ids,
          )) as Array<[string, StreamEntry[]]> | null;
          this.#blocked = false;
          for (const [key, entries] of reply ?? []) {
            const last = entries.at(-1);
            if (last === undefined || !this.#positions.has(key)) continue;
            this.#positions.set(key, last[0]);
            this.#o.onEntries(key, entries);
          }
        } catch (err) {
          this.#blocked = false;
          // Closed because no key was left (a new one may have come since): start afresh.
          if (this.#positions.size === 0 || this.#closed || connection.status === 'end') return;
          this.#clientId = undefined;
          this.#o.logger.warn(
            { err: (err as Error).message },
            'log followers: reading the log streams failed',
          );
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
        this.#o.onTick();
      }
    } finally {
      this.#connection = undefined;
      this.#clientId = undefined;
      connection.disconnect();
    }
  }
}
