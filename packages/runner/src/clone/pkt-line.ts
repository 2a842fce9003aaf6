/** Git's pkt-line framing (gitprotocol-common(5)): a 4-hex-digit length, then the payload. */

/** Special packets of protocol v2: flush (end of a message), delimiter (end of a section), response end. */
export type PktSpecial = 'flush' | 'delim' | 'response-end';
export type Pkt =
  | { kind: 'data'; payload: Buffer }
  | { kind: 'flush' }
  | { kind: 'delim' }
  | { kind: 'response-end' };

const MAX_PKT = 65520;

/** One data packet holding `text`. */
export function pktLine(text: string): Buffer {
  const body = Buffer.from(text, 'utf8');
  if (body.length + 4 > MAX_PKT) throw new RangeError('pkt-line payload too long');
  return Buffer.concat([Buffer.from((body.length + 4).toString(16).padStart(4, '0'), 'ascii'), body]);
}

export const FLUSH_PKT = Buffer.from('0000', 'ascii');
export const DELIM_PKT = Buffer.from('0001', 'ascii');

/**
 * Splits a byte stream into packets as it arrives: `push` chunks, take the whole packets. Throws
 * on a length that is not hex, or one no server sends (3, or above the protocol's maximum).
 */
export class PktReader {
  #buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Pkt[] {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const out: Pkt[] = [];
    while (this.#buf.length >= 4) {
      const head = this.#buf.subarray(0, 4).toString('ascii');
      if (!/^[0-9a-f]{4}$/.test(head)) throw new Error('not a pkt-line stream');
      const len = Number.parseInt(head, 16);
      if (len === 0 || len === 1 || len === 2) {
        const special: PktSpecial = len === 0 ? 'flush' : len === 1 ? 'delim' : 'response-end';
        out.push({ kind: special });
        this.#buf = this.#buf.subarray(4);
        continue;
      }
      if (len < 4 || len > MAX_PKT) throw new Error(`bad pkt-line length ${len}`);
      if (this.#buf.length < len) break;
      out.push({ kind: 'data', payload: this.#buf.subarray(4, len) });
      this.#buf = this.#buf.subarray(len);
    }
    return out;
  }

  /** Bytes received that do not make a whole packet yet. */
  get pending(): number {
    return this.#buf.length;
  }
}
