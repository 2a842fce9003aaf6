import { StringDecoder } from 'node:string_decoder';

const SPACE = 0x20;
const NEWLINE = 0x0a;
/** Longer than any RFC 3339 timestamp with nanoseconds and an offset. */
const MAX_HEADER = 64;

const TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/i;

/** An RFC 3339 timestamp as nanoseconds since the epoch, or undefined when it is not one. Pure. */
export function timestampNanos(text: string): bigint | undefined {
  const m = TIMESTAMP.exec(text);
  if (m === null) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

interface Cursor {
  nanos: bigint;
  /** The timestamp as the server wrote it: the next `sinceTime`. */
  text: string;
  /** Complete lines with this timestamp already written. */
  done: number;
  /** Bytes already written of the next line with this timestamp (a stream cut mid-line). */
  partial: number;
}

/**
 * Turns a container log read with `timestamps=true` into its text, across reconnects: each
 * connection starts again at `sinceTime` (the last timestamp seen; a real apiserver may round it
 * down to the second), and lines already written are dropped by comparing timestamps, counting
 * lines that share one, and skipping the part of a line written before a cut. Streams lines
 * through without holding them, so one huge line costs no memory. Pure (no I/O).
 */
export class TimestampedLogDecoder {
  #cursor: Cursor | undefined;
  readonly #text = new StringDecoder('utf8');
  #mode: 'header' | 'emit' | 'skip' = 'header';
  #header: Buffer[] = [];
  #headerLength = 0;
  /** Whether the line being written is the cursor's (its bytes move the cursor). */
  #tracked = false;
  #skipBytes = 0;
  /** Lines with the cursor's timestamp seen on this connection. */
  #seenAtCursor = 0;

  /** `sinceTime` for the next connection (undefined: from the start). */
  get sinceTime(): string | undefined {
    return this.#cursor?.text;
  }

  /** A new connection: the server starts again at a line boundary at or before `sinceTime`. */
  beginConnection(): void {
    this.#mode = 'header';
    this.#header = [];
    this.#headerLength = 0;
    this.#tracked = false;
    this.#skipBytes = 0;
    this.#seenAtCursor = 0;
  }

  /** The new text in `chunk` (possibly empty). */
  push(chunk: Buffer): string {
    const out: Buffer[] = [];
    let i = 0;
    while (i < chunk.length) {
      if (this.#mode === 'header') {
        i = this.#readHeader(chunk, i, out);
        continue;
      }
      const newline = chunk.indexOf(NEWLINE, i);
      const stop = newline === -1 ? chunk.length : newline + 1;
      if (this.#mode === 'emit') this.#emit(chunk.subarray(i, stop), out);
      if (newline !== -1) this.#endLine();
      i = stop;
    }
    return out.length === 0
      ? ''
      : this.#text.write(out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out));
  }

  /** What is left at the very end (an incomplete UTF-8 sequence). */
  end(): string {
    return this.#text.end();
  }

  #readHeader(chunk: Buffer, from: number, out: Buffer[]): number {
    const space = chunk.indexOf(SPACE, from);
    const newline = chunk.indexOf(NEWLINE, from);
    if (newline !== -1 && (space === -1 || newline < space)) {
      // A line without a timestamp: pass it through as it is.
      this.#untracked(Buffer.concat([...this.#header, chunk.subarray(from, newline + 1)]), out);
      this.#endLine();
      return newline + 1;
    }
    const stop = space === -1 ? chunk.length : space;
    this.#header.push(chunk.subarray(from, stop));
    this.#headerLength += stop - from;
    if (this.#headerLength > MAX_HEADER) {
      this.#untracked(Buffer.concat(this.#header), out);
      return stop;
    }
    if (space === -1) return stop;
    const text = Buffer.concat(this.#header).toString('latin1');
    this.#header = [];
    this.#headerLength = 0;
    const nanos = timestampNanos(text);
    if (nanos === undefined) this.#untracked(Buffer.from(`${text} `, 'latin1'), out);
    else this.#startLine(nanos, text);
    return space + 1;
  }

  #startLine(nanos: bigint, text: string): void {
    const cursor = this.#cursor;
    if (cursor === undefined || nanos > cursor.nanos) {
      this.#cursor = { nanos, text, done: 0, partial: 0 };
      this.#seenAtCursor = 1;
      this.#begin('emit', true, 0);
    } else if (nanos < cursor.nanos) {
      this.#begin('skip', false, 0);
    } else {
      this.#seenAtCursor += 1;
      if (this.#seenAtCursor <= cursor.done) this.#begin('skip', false, 0);
      else if (this.#seenAtCursor === cursor.done + 1) this.#begin('emit', true, cursor.partial);
      else this.#begin('emit', false, 0);
    }
  }

  #begin(mode: 'header' | 'emit' | 'skip', tracked: boolean, skipBytes: number): void {
    this.#mode = mode;
    this.#tracked = tracked;
    this.#skipBytes = skipBytes;
  }

  #untracked(bytes: Buffer, out: Buffer[]): void {
    this.#header = [];
    this.#headerLength = 0;
    this.#begin('emit', false, 0);
    if (bytes.length > 0) out.push(bytes);
  }

  #emit(piece: Buffer, out: Buffer[]): void {
    let rest = piece;
    if (this.#skipBytes > 0) {
      const skipped = Math.min(this.#skipBytes, rest.length);
      this.#skipBytes -= skipped;
      rest = rest.subarray(skipped);
    }
    if (rest.length === 0) return;
    out.push(rest);
    if (this.#tracked && this.#cursor !== undefined) this.#cursor.partial += rest.length;
  }

  #endLine(): void {
    if (this.#mode === 'emit' && this.#tracked && this.#cursor !== undefined) {
      this.#cursor.done += 1;
      this.#cursor.partial = 0;
    }
    this.#begin('header', false, 0);
  }
}
