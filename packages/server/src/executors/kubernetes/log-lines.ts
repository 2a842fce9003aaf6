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
export const REORDER_MARGIN_SECONDS = 2;
const SECOND = 1_000_000_000;

/** A line this decoder has started writing: its stamp (ns after `#base`) and its bytes written so far. */
interface Written {
  at: number;
  bytes: number;
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
 * At the first line that differs, skipping stops: a line is rather repeated than lost. Stamps are
 * kept as numbers (8 bytes a line, for the lines of the last seconds only); lines stream through
 * without being held, so one huge line costs no memory. Pure (no I/O).
 */
export class TimestampedLogDecoder {
  readonly #text = new StringDecoder('utf8');
  #mode: 'header' | 'emit' | 'skip' = 'header';
  #header: Buffer[] = [];
  #headerLength = 0;
  /** The whole second of the first stamp, in ns: stamps are kept relative to it (exact to 104 days). */
  #base: bigint | undefined;
  /** Stamps of the ended lines written, in order, from `#historyStart` (older ones: pruned). */
  #history: number[] = [];
  #historyStart = 0;
  #newest: number | undefined;
  /** The whole second REORDER_MARGIN_SECONDS before `#newest`: where the next connection starts. */
  #resumeAt = 0;
  /** The stamped line being written (undefined between lines, or in an unstamped one). */
  #current: Written | undefined;
  /** This connection's replay of what was written: `#history[#replayNext..#replayEnd)` from `#replaySince`, then `#replayCut`. */
  #replayNext = 0;
  #replayEnd = 0;
  #replaySince = 0;
  /** The line cut on an earlier connection, expected last in the replay. */
  #replayCut: Written | undefined;
  #skipBytes = 0;
  /** A cut line the server did not replay: end it before writing the next. */
  #unterminated = false;

  /** `sinceTime` for the next connection (undefined: from the start). */
  get sinceTime(): string | undefined {
    if (this.#base === undefined || this.#newest === undefined) return undefined;
    const seconds = (this.#base + BigInt(this.#resumeAt)) / 1_000_000_000n;
    return new Date(Number(seconds) * 1000).toISOString().replace('.000Z', 'Z');
  }

  /** A new connection: the server replays every line stamped at or after `sinceTime`, in file order. */
  beginConnection(): void {
    // The line cut on an earlier connection and not reached again on this one is still cut.
    const cut = this.#current ?? this.#replayCut;
    this.#mode = 'header';
    this.#header = [];
    this.#headerLength = 0;
    this.#skipBytes = 0;
    this.#current = undefined;
    this.#replayCut = undefined;
    this.#replayNext = this.#historyStart;
    this.#replayEnd = this.#newest === undefined ? this.#historyStart : this.#history.length;
    this.#replaySince = this.#resumeAt;
    if (cut === undefined || this.#newest === undefined) return;
    if (cut.at >= this.#resumeAt) this.#replayCut = cut;
    else if (cut.bytes > 0) this.#unterminated = true;
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
    this.#base ??= (nanos / 1_000_000_000n) * 1_000_000_000n;
    const at = Number(nanos - this.#base);
    // The next line of the replay that was written before: skipped if this is it.
    while (
      this.#replayNext < this.#replayEnd &&
      (this.#history[this.#replayNext] as number) < this.#replaySince
    )
      this.#replayNext += 1;
    if (this.#replayNext < this.#replayEnd && this.#history[this.#replayNext] === at) {
      this.#replayNext += 1;
      this.#mode = 'skip';
      return;
    }
    const cut = this.#replayCut;
    if (this.#replayNext >= this.#replayEnd && cut !== undefined && cut.at === at) {
      // The line cut on the last connection: write what was not written.
      this.#replayCut = undefined;
      this.#current = cut;
      this.#skipBytes = cut.bytes;
      this.#mode = 'emit';
      return;
    }
    // Past what was written (or the server replays something else): everything is new from here.
    if (cut !== undefined && cut.bytes > 0) this.#unterminated = true;
    this.#replayCut = undefined;
    this.#replayNext = this.#replayEnd;
    this.#current = { at, bytes: 0 };
    if (this.#newest === undefined || at > this.#newest) {
      this.#newest = at;
      this.#resumeAt = (Math.floor(at / SECOND) - REORDER_MARGIN_SECONDS) * SECOND;
    }
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
    if (this.#mode === 'emit' && ended !== undefined) this.#remember(ended.at);
    this.#current = undefined;
    this.#mode = 'header';
    this.#skipBytes = 0;
  }

  /** Records an ended line's stamp; forgets those no resume can ask for again. */
  #remember(at: number): void {
    this.#history.push(at);
    while (
      this.#historyStart < this.#history.length &&
      (this.#history[this.#historyStart] as number) < this.#resumeAt
    )
      this.#historyStart += 1;
    if (this.#historyStart > 4096 && this.#historyStart * 2 > this.#history.length) {
      this.#history = this.#history.slice(this.#historyStart);
      this.#replayNext = Math.max(0, this.#replayNext - this.#historyStart);
      this.#replayEnd = Math.max(0, this.#replayEnd - this.#historyStart);
      this.#historyStart = 0;
    }
  }
}
