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

/** Seconds kept before the newest stamp when resuming: how far a line's stamp may lag the one before it. */
export const REORDER_MARGIN_SECONDS = 2n;
const SECOND = 1_000_000_000n;

/** A line this decoder has started writing. */
interface Written {
  nanos: bigint;
  /** Bytes of its text written so far (all of them once the line has ended). */
  bytes: number;
}

/** The whole second `margin` seconds before `nanos`, as RFC 3339 (`2026-11-22T10:00:00Z`). Pure. */
function secondsBefore(nanos: bigint, margin: bigint): { nanos: bigint; text: string } {
  const seconds = nanos / SECOND - (nanos % SECOND < 0n ? 1n : 0n) - margin;
  return {
    nanos: seconds * SECOND,
    text: new Date(Number(seconds) * 1000).toISOString().replace('.000Z', 'Z'),
  };
}

/**
 * Turns a container log read with `timestamps=true` into its text, across reconnects, without losing
 * or repeating a line. Stamps are not in order: containerd (internal/cri/io/logger.go) and Docker
 * stamp each line in the goroutine of its stream and then append it to the one log file, so a
 * stderr line can follow a stdout line stamped after it; the kubelet sends the file in file order.
 * So no line is ever dropped for its stamp. A new connection asks for `sinceTime` = a whole second
 * `REORDER_MARGIN_SECONDS` before the newest stamp (whole, so the apiserver's truncation to seconds
 * changes nothing); the kubelet replays, in file order, every line stamped at or after it. Those of
 * them already written come first, in the order they were written: they are skipped by position,
 * each checked against the stamp it had (the part of a line written before a cut is skipped too).
 * At the first line that differs, skipping stops: a line is rather repeated than lost. Streams lines
 * through without holding them, so one huge line costs no memory. Pure (no I/O).
 */
export class TimestampedLogDecoder {
  readonly #text = new StringDecoder('utf8');
  #mode: 'header' | 'emit' | 'skip' = 'header';
  #header: Buffer[] = [];
  #headerLength = 0;
  /** Stamps of the ended lines written, in order, from `#historyStart` (older ones: pruned). */
  #history: bigint[] = [];
  #historyStart = 0;
  #newest: bigint | undefined;
  /** The stamped line being written (undefined between lines, or in an unstamped one). */
  #current: Written | undefined;
  /** The replay's lines already written, expected in this order; then `#current` if it was cut. */
  #replay: Written[] = [];
  #replayed = 0;
  #skipBytes = 0;
  /** A cut line the server did not replay: end it before writing the next. */
  #unterminated = false;

  /** `sinceTime` for the next connection (undefined: from the start). */
  get sinceTime(): string | undefined {
    return this.#newest === undefined ? undefined : secondsBefore(this.#newest, REORDER_MARGIN_SECONDS).text;
  }

  /** A new connection: the server replays every line stamped at or after `sinceTime`, in file order. */
  beginConnection(): void {
    // The line cut on an earlier connection and not reached again on this one is still cut.
    const last = this.#replay.at(-1);
    const cut =
      this.#current ??
      (last !== undefined && last.bytes >= 0 && this.#replayed < this.#replay.length ? last : undefined);
    this.#mode = 'header';
    this.#header = [];
    this.#headerLength = 0;
    this.#skipBytes = 0;
    this.#replayed = 0;
    this.#replay = [];
    this.#current = undefined;
    if (this.#newest === undefined) return;
    const since = secondsBefore(this.#newest, REORDER_MARGIN_SECONDS).nanos;
    for (let i = this.#historyStart; i < this.#history.length; i++) {
      const nanos = this.#history[i] as bigint;
      if (nanos >= since) this.#replay.push({ nanos, bytes: -1 });
    }
    if (cut !== undefined) {
      if (cut.nanos >= since) this.#replay.push(cut);
      else if (cut.bytes > 0) this.#unterminated = true;
    }
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
    else this.#startLine(nanos);
    return space + 1;
  }

  #startLine(nanos: bigint): void {
    const expected = this.#replay[this.#replayed];
    if (expected !== undefined && expected.nanos === nanos) {
      this.#replayed += 1;
      if (expected.bytes < 0) {
        this.#mode = 'skip';
        return;
      }
      // The line cut on the last connection: write what was not written.
      this.#current = expected;
      this.#skipBytes = expected.bytes;
      this.#mode = 'emit';
      return;
    }
    // Past what was written (or the server replays something else): everything is new from here.
    const cut = this.#replay.at(-1);
    if (cut !== undefined && cut.bytes > 0 && this.#replayed < this.#replay.length) this.#unterminated = true;
    this.#replay = [];
    this.#replayed = 0;
    this.#current = { nanos, bytes: 0 };
    if (this.#newest === undefined || nanos > this.#newest) this.#newest = nanos;
    this.#mode = 'emit';
  }

  #untracked(bytes: Buffer, out: Buffer[]): void {
    this.#header = [];
    this.#headerLength = 0;
    this.#current = undefined;
    this.#mode = 'emit';
    this.#write(bytes, out);
  }

  #emit(piece: Buffer, out: Buffer[]): void {
    let rest = piece;
    if (this.#skipBytes > 0) {
      const skipped = Math.min(this.#skipBytes, rest.length);
      this.#skipBytes -= skipped;
      rest = rest.subarray(skipped);
    }
    if (rest.length === 0) return;
    this.#write(rest, out);
    if (this.#current !== undefined) this.#current.bytes += rest.length;
  }

  #write(bytes: Buffer, out: Buffer[]): void {
    if (bytes.length === 0) return;
    if (this.#unterminated) {
      out.push(Buffer.from('\n'));
      this.#unterminated = false;
    }
    out.push(bytes);
  }

  #endLine(): void {
    const ended = this.#current;
    if (this.#mode === 'emit' && ended !== undefined) this.#remember(ended.nanos);
    this.#current = undefined;
    this.#mode = 'header';
    this.#skipBytes = 0;
  }

  /** Records an ended line's stamp; forgets those no resume can ask for again. */
  #remember(nanos: bigint): void {
    this.#history.push(nanos);
    const since = secondsBefore(this.#newest ?? nanos, REORDER_MARGIN_SECONDS).nanos;
    while (this.#historyStart < this.#history.length && (this.#history[this.#historyStart] as bigint) < since)
      this.#historyStart += 1;
    if (this.#historyStart > 1024 && this.#historyStart * 2 > this.#history.length) {
      this.#history = this.#history.slice(this.#historyStart);
      this.#historyStart = 0;
    }
  }
}
