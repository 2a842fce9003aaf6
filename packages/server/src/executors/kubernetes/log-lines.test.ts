import { describe, expect, it } from 'vitest';
import { REORDER_MARGIN_SECONDS, TimestampedLogDecoder, timestampNanos } from './log-lines.js';

const t = (n: number) => `2026-11-22T10:00:0${Math.floor(n / 10)}.${String(n % 10).padEnd(9, '0')}Z`;
const line = (n: number, text: string) => `${t(n)} ${text}\n`;

/**
 * What the apiserver and kubelet send for `follow&timestamps&sinceTime=<since>` of a container whose
 * CRI log file holds `file` (its lines already in the kubelet's output form): the apiserver passes
 * `sinceTime` to the kubelet as `SinceTime.Format(time.RFC3339)`, whole seconds
 * (pkg/registry/core/pod/strategy.go LogLocation), and the kubelet skips each line whose stamp is
 * before it, in file order (pkg/kubelet/kuberuntime/logs/logs.go logWriter.write).
 */
const replays = new Map<string, Buffer>();
function kubeletReplay(file: Buffer, since: string | undefined): Buffer {
  if (since === undefined) return file;
  const key = `${since} ${file.toString('latin1')}`;
  const known = replays.get(key);
  if (known !== undefined) return known;
  const from = (timestampNanos(since) as bigint) / 1_000_000_000n;
  const lines = file.toString('latin1').split(/(?<=\n)/);
  const kept = lines.filter(
    (l) => (timestampNanos(l.slice(0, l.indexOf(' '))) as bigint) / 1_000_000_000n >= from,
  );
  const replay = Buffer.from(kept.join(''), 'latin1');
  replays.set(key, replay);
  return replay;
}

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
    ['a last line without newline', [[line(1, 'a'), `${t(2)} tail`]], 'a\ntail'],
  ])('%s', (_name, connections, expected) => {
    expect(decode(connections).text).toBe(expected);
  });

  it('keeps a line whose stamp is older than the line before it (each stream is stamped before the shared write)', () => {
    // containerd (internal/cri/io/logger.go redirectLogs) and Docker's copier stamp a line with
    // time.Now() in the goroutine of its stream, then write it to the one log file: a stderr line
    // stamped first can land after a stdout line stamped later. The kubelet (pkg/kubelet/kuberuntime/
    // logs/logs.go ReadLogs) sends the file in file order; only `since` filters by time.
    const file = [line(1, '$ echo err-1 >&2'), line(3, '$ sleep 0.3'), line(2, 'err-1'), line(4, 'out-2')];
    expect(decode([file]).text).toBe('$ echo err-1 >&2\n$ sleep 0.3\nerr-1\nout-2\n');
  });

  describe('against the kubelet replaying its log file from sinceTime, cut anywhere', () => {
    // Both streams, stamps out of order, lines sharing a stamp (also across the two streams), a
    // whole-second stamp, an empty line and a multi-byte character.
    const file = Buffer.from(
      [
        line(1, 'out-1'),
        line(9, 'out-2'),
        line(8, 'err-1'),
        line(9, 'err-2'),
        line(10, 'out-3 grüße'),
        line(10, ''),
        line(25, 'out-4'),
        line(21, 'err-3'),
        line(25, 'out-5'),
        line(40, 'err-4'),
      ].join(''),
      'utf8',
    );
    const whole = file.toString('utf8').replace(/^\S+ /gm, '');

    it.each(Array.from({ length: file.length }, (_, cut) => cut))('cut after byte %i', (cut) => {
      const decoder = new TimestampedLogDecoder();
      decoder.beginConnection();
      let text = decoder.push(file.subarray(0, cut));
      decoder.beginConnection();
      text += decoder.push(kubeletReplay(file, decoder.sinceTime)) + decoder.end();
      expect(text).toBe(whole);
    });

    it('cut twice, the second time inside the replay', { timeout: 60_000 }, () => {
      for (let first = 0; first < file.length; first += 3) {
        for (let second = 0; ; second += 5) {
          const decoder = new TimestampedLogDecoder();
          decoder.beginConnection();
          let text = decoder.push(file.subarray(0, first));
          decoder.beginConnection();
          const replay = kubeletReplay(file, decoder.sinceTime);
          if (second > replay.length) break;
          text += decoder.push(replay.subarray(0, second));
          decoder.beginConnection();
          text += decoder.push(kubeletReplay(file, decoder.sinceTime)) + decoder.end();
          expect(text, `cut after byte ${first}, then after byte ${second} of the replay`).toBe(whole);
        }
      }
    });
  });

  it('resumes at a whole second, REORDER_MARGIN_SECONDS before the newest stamp seen (not the last)', () => {
    expect(REORDER_MARGIN_SECONDS).toBe(2);
    const { since } = decode([[line(1, 'a'), line(45, 'b'), line(3, 'c')], [], []]);
    expect(since).toEqual([undefined, '2026-11-22T10:00:02Z', '2026-11-22T10:00:02Z']);
  });

  it.each<[string, string[][], string]>([
    [
      'a reconnect that brings nothing new',
      [[line(1, 'a')], [line(1, 'a')], [line(1, 'a'), line(2, 'b')]],
      'a\nb\n',
    ],
    [
      'a replay without the lines written (a rotated log file): all of it is new',
      [[line(1, 'a'), line(2, 'b')], [line(3, 'c')]],
      'a\nb\nc\n',
    ],
    [
      'a replay that differs from what was written: a line repeated rather than one lost',
      [
        [line(1, 'a'), line(2, 'b')],
        [line(2, 'b'), line(3, 'c')],
      ],
      'a\nb\nb\nc\n',
    ],
    [
      'a cut line the replay does not bring again is ended before the next',
      [[line(1, 'a'), `${t(2)} hel`], [line(3, 'c')]],
      'a\nhel\nc\n',
    ],
  ])('%s', (_name, connections, expected) => {
    expect(decode(connections).text).toBe(expected);
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
