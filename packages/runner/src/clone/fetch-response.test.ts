import { describe, expect, it } from 'vitest';
import { fetchRequestBody } from './direct-fetch.js';
import { FetchResponseParser, type FetchStep } from './fetch-response.js';
import { DELIM_PKT, FLUSH_PKT, PktReader, pktLine } from './pkt-line.js';

const sha = 'ab'.repeat(20);
const band = (n: number, data: string) => {
  const body = Buffer.concat([Buffer.from([n]), Buffer.from(data)]);
  return Buffer.concat([Buffer.from((body.length + 4).toString(16).padStart(4, '0')), body]);
};

/** Every step the parser takes over a whole response, fed in chunks of `size` bytes. */
function parse(response: Buffer, size = 3): FetchStep[] {
  const reader = new PktReader();
  const parser = new FetchResponseParser();
  const steps: FetchStep[] = [];
  for (let i = 0; i < response.length; i += size)
    for (const pkt of reader.push(response.subarray(i, i + size))) steps.push(parser.step(pkt));
  return steps.filter((s) => s.kind !== 'none');
}

describe('pkt-line', () => {
  it('frames a line with its hex length', () => {
    expect(pktLine('done\n').toString()).toBe('0009done\n');
    expect(pktLine('').toString()).toBe('0004');
  });

  it('reads packets split anywhere, special packets included', () => {
    const reader = new PktReader();
    const stream = Buffer.concat([pktLine('a\n'), DELIM_PKT, pktLine('bc\n'), FLUSH_PKT]);
    const pkts = [...stream].flatMap((byte) => reader.push(Buffer.from([byte])));
    expect(pkts.map((p) => (p.kind === 'data' ? p.payload.toString() : p.kind))).toEqual([
      'a\n',
      'delim',
      'bc\n',
      'flush',
    ]);
    expect(reader.pending).toBe(0);
  });

  it.each(['zzzz', '0003'])('refuses a stream that is not pkt-lines (%s)', (head) => {
    expect(() => new PktReader().push(Buffer.from(head))).toThrow();
  });

  it('asks for exactly one commit, shallow, without progress', () => {
    const lines = new PktReader()
      .push(fetchRequestBody(sha))
      .map((p) => (p.kind === 'data' ? p.payload.toString().trim() : p.kind));
    expect(lines).toEqual([
      'command=fetch',
      'agent=ferry-runner',
      'object-format=sha1',
      'delim',
      'ofs-delta',
      'no-progress',
      `want ${sha}`,
      'deepen 1',
      'done',
      'flush',
    ]);
  });
});

describe('FetchResponseParser', () => {
  it('reads shallow-info, then the pack from side band 1, ignoring progress', () => {
    const response = Buffer.concat([
      pktLine('shallow-info\n'),
      pktLine(`shallow ${sha}\n`),
      DELIM_PKT,
      pktLine('packfile\n'),
      band(2, 'Counting objects\n'),
      band(1, 'PACK'),
      band(1, '-rest'),
      FLUSH_PKT,
    ]);
    const steps = parse(response);
    expect(steps.filter((s) => s.kind === 'shallow')).toEqual([{ kind: 'shallow', sha }]);
    const pack = steps.flatMap((s) => (s.kind === 'pack' ? [s.data.toString()] : [])).join('');
    expect(pack).toBe('PACK-rest');
    expect(steps.at(-1)).toEqual({ kind: 'done' });
  });

  it('skips wanted-refs', () => {
    const response = Buffer.concat([
      pktLine('wanted-refs\n'),
      pktLine(`${sha} refs/heads/main\n`),
      DELIM_PKT,
      pktLine('packfile\n'),
      band(1, 'PACK'),
      FLUSH_PKT,
    ]);
    expect(parse(response).map((s) => s.kind)).toEqual(['pack', 'done']);
  });

  it.each<[string, Buffer, RegExp]>([
    ['a v0 answer', Buffer.concat([pktLine('NAK\n'), FLUSH_PKT]), /not a protocol v2/],
    ['ERR', Buffer.concat([pktLine('ERR upload-pack: not our ref\n')]), /not our ref/],
    [
      'a fatal error on band 3',
      Buffer.concat([pktLine('packfile\n'), band(3, 'fatal: out of memory\n')]),
      /out of memory/,
    ],
    [
      'an end without a pack',
      Buffer.concat([pktLine('shallow-info\n'), DELIM_PKT, FLUSH_PKT]),
      /without a pack/,
    ],
    [
      'a malformed shallow line',
      Buffer.concat([pktLine('shallow-info\n'), pktLine('shallow nope\n')]),
      /malformed/,
    ],
    ['a packet outside the bands', Buffer.concat([pktLine('packfile\n'), band(7, 'x')]), /side bands/],
  ])('reports %s as an error, so the caller falls back to git', (_name, response, message) => {
    const error = parse(response).find((s) => s.kind === 'error');
    expect(error).toMatchObject({ kind: 'error', message: expect.stringMatching(message) });
  });
});
