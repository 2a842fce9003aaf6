import { describe, expect, it } from 'vitest';
import { TimestampedLogDecoder, timestampNanos } from './log-lines.js';

const t = (n: number) => `2026-11-22T10:00:0${Math.floor(n / 10)}.${String(n % 10).padEnd(9, '0')}Z`;
const line = (n: number, text: string) => `${t(n)} ${text}\n`;

/** Each connection is a list of chunks; returns everything written. */
function decode(connections: string[][]): { text: string; since: (string | undefined)[] } {
  const decoder = new TimestampedLogDecoder();
  const since: (string | undefined)[] = [];
  let text = '';
  for (const chunks of connections) {
    since.push(decoder.sinceTime);
    decoder.beginConnection();
    for (const chunk of chunks) text += decoder.push(Buffer.from(chunk, 'utf8'));
  }
  return { text: text + decoder.end(), since };
}

describe('timestampNanos', () => {
  it.each([
    ['2026-11-22T10:00:00.123456789Z', 1795341600123456789n],
    ['2026-11-22T10:00:00Z', 1795341600000000000n],
    ['2026-11-22T10:00:00.5Z', 1795341600500000000n],
    ['2026-11-22T18:00:00.5+08:00', 1795341600500000000n],
    ['hello', undefined],
    ['2026-11-22', undefined],
  ])('%s → %s', (text, nanos) => {
    expect(timestampNanos(text)).toBe(nanos);
  });
});

describe('TimestampedLogDecoder', () => {
  it.each<[string, string[][], string]>([
    ['one connection', [[line(1, 'a'), line(2, 'b')]], 'a\nb\n'],
    ['chunks cut anywhere', [[`${t(1)} a\n${t(2).slice(0, 7)}`, `${t(2).slice(7)}`, ' b', 'c\n']], 'a\nbc\n'],
    ['an empty line', [[line(1, '')]], '\n'],
    ['a line without a timestamp passes through', [['plain\n', line(1, 'a')]], 'plain\na\n'],
    ['a header that is not a timestamp passes through', [['not-a-time text\n']], 'not-a-time text\n'],
    [
      'reconnect replays from sinceTime: repeats dropped',
      [
        [line(1, 'a'), line(2, 'b')],
        [line(2, 'b'), line(3, 'c')],
      ],
      'a\nb\nc\n',
    ],
    [
      'reconnect rounded down to the second: earlier lines dropped',
      [
        [line(1, 'a'), line(5, 'b')],
        [line(1, 'a'), line(5, 'b'), line(6, 'c')],
      ],
      'a\nb\nc\n',
    ],
    [
      'lines sharing a timestamp: only the unseen ones',
      [
        [line(1, 'a'), line(2, 'x'), line(2, 'y')],
        [line(2, 'x'), line(2, 'y'), line(2, 'z')],
      ],
      'a\nx\ny\nz\n',
    ],
    [
      'cut after the first of two lines sharing a timestamp',
      [[line(2, 'x')], [line(2, 'x'), line(2, 'y')]],
      'x\ny\n',
    ],
    [
      'cut mid-line: only the rest of it',
      [
        [line(1, 'a'), `${t(2)} hello wo`],
        [`${t(2)} hello world\n`, line(3, 'c')],
      ],
      'a\nhello world\nc\n',
    ],
    [
      'cut mid-header: the line comes whole',
      [
        [line(1, 'a'), t(2).slice(0, 10)],
        [line(1, 'a'), line(2, 'b')],
      ],
      'a\nb\n',
    ],
    [
      'a reconnect that brings nothing new',
      [[line(1, 'a')], [line(1, 'a')], [line(1, 'a'), line(2, 'b')]],
      'a\nb\n',
    ],
    ['a last line without newline', [[line(1, 'a'), `${t(2)} tail`]], 'a\ntail'],
  ])('%s', (_name, connections, expected) => {
    expect(decode(connections).text).toBe(expected);
  });

  it('resumes each connection at the last timestamp written', () => {
    expect(decode([[line(1, 'a'), line(2, 'b')], [line(2, 'b')], []]).since).toEqual([undefined, t(2), t(2)]);
  });

  it('keeps a UTF-8 character cut between chunks whole', () => {
    const decoder = new TimestampedLogDecoder();
    decoder.beginConnection();
    const bytes = Buffer.from(line(1, 'grüße'), 'utf8');
    const cut = bytes.indexOf(0xc3) + 1;
    const text = decoder.push(bytes.subarray(0, cut)) + decoder.push(bytes.subarray(cut)) + decoder.end();
    expect(text).toBe('grüße\n');
  });

  it('keeps a UTF-8 character whole when the stream is cut inside it', () => {
    const decoder = new TimestampedLogDecoder();
    const bytes = Buffer.from(line(1, 'ü!'), 'utf8');
    const cut = bytes.indexOf(0xc3) + 1;
    decoder.beginConnection();
    let text = decoder.push(bytes.subarray(0, cut));
    decoder.beginConnection();
    text += decoder.push(bytes) + decoder.end();
    expect(text).toBe('ü!\n');
  });

  it('streams a huge line without holding it', () => {
    const decoder = new TimestampedLogDecoder();
    decoder.beginConnection();
    expect(decoder.push(Buffer.from(`${t(1)} `))).toBe('');
    const piece = 'x'.repeat(1 << 16);
    for (let i = 0; i < 16; i++) expect(decoder.push(Buffer.from(piece))).toBe(piece);
    expect(decoder.push(Buffer.from('\n'))).toBe('\n');
  });
});
