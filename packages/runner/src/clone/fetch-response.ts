import type { Pkt } from './pkt-line.js';

/** What the parser wants done with one packet of a protocol-v2 `fetch` response. */
export type FetchStep =
  | { kind: 'shallow'; sha: string }
  | { kind: 'pack'; data: Buffer }
  | { kind: 'done' }
  | { kind: 'error'; message: string }
  | { kind: 'none' };

type Section = 'start' | 'shallow-info' | 'skip' | 'packfile' | 'ended';

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/**
 * Reads the response of a protocol-v2 `fetch` with `done` (gitprotocol-v2(5)): the sections
 * `shallow-info` (the commits that are now shallow), optional ones it skips (`wanted-refs`,
 * `packfile-uris`), then `packfile`, whose packets are side-band multiplexed: band 1 is the pack,
 * 2 progress (ignored), 3 a fatal error. Anything else — a v0 answer, `ERR`, an unknown section —
 * is an error, so the caller can fall back to git. Pure: one packet in, one step out.
 */
export class FetchResponseParser {
  #section: Section = 'start';

  step(pkt: Pkt): FetchStep {
    if (this.#section === 'ended') return { kind: 'error', message: 'data after the end of the response' };
    if (pkt.kind === 'flush' || pkt.kind === 'response-end') {
      if (this.#section !== 'packfile')
        return { kind: 'error', message: 'the response ended without a pack' };
      this.#section = 'ended';
      return { kind: 'done' };
    }
    if (pkt.kind === 'delim') {
      if (this.#section === 'packfile' || this.#section === 'start')
        return { kind: 'error', message: 'unexpected delimiter' };
      this.#section = 'start';
      return { kind: 'none' };
    }
    const payload = pkt.payload;
    if (this.#section === 'packfile') {
      const band = payload[0];
      if (band === 1) return { kind: 'pack', data: payload.subarray(1) };
      if (band === 2) return { kind: 'none' };
      if (band === 3) return { kind: 'error', message: `the server: ${text(payload.subarray(1))}` };
      return { kind: 'error', message: 'a packet outside the side bands' };
    }
    const line = text(payload);
    if (line.startsWith('ERR ')) return { kind: 'error', message: `the server: ${line.slice(4)}` };
    if (this.#section === 'start') {
      if (line === 'shallow-info') this.#section = 'shallow-info';
      else if (line === 'packfile') this.#section = 'packfile';
      else if (line === 'wanted-refs' || line === 'packfile-uris') this.#section = 'skip';
      else return { kind: 'error', message: `not a protocol v2 fetch response (${line.slice(0, 40)})` };
      return { kind: 'none' };
    }
    if (this.#section === 'shallow-info') {
      const [word, sha = ''] = line.split(' ');
      if (word === 'shallow' && SHA.test(sha)) return { kind: 'shallow', sha };
      if (word === 'unshallow' && SHA.test(sha)) return { kind: 'none' };
      return { kind: 'error', message: 'a malformed shallow-info line' };
    }
    return { kind: 'none' };
  }
}

function text(b: Buffer): string {
  return b.toString('utf8').replace(/\n$/, '');
}
