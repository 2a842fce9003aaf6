import { describe, expect, it } from 'vitest';
import type { LogStream } from '../executor.js';
import { ContainerLogFollower, type ContainerState, type OpenPodLog } from './container-log-follower.js';
import { silentLogger } from './executor-logger.js';
import type { PodLogQuery } from './log-request.js';

const t = (n: number) => `2026-11-22T10:00:00.${String(n).padStart(9, '0')}Z`;
const line = (n: number) => `${t(n)} line-${n}\n`;
/** The whole second REORDER_MARGIN_SECONDS (2) before those stamps. */
const resumeAt = '2026-11-22T09:59:58Z';

/** One scripted answer per connection: chunks, then how it ended. */
type Answer = { chunks: string[]; end: 'complete' | 'cut' | 'error' } | { status: number; message: string };

function fakeOpen(answers: Answer[], queries: PodLogQuery[], onAnswer?: (i: number) => void): OpenPodLog {
  return async (query) => {
    queries.push(query);
    const i = queries.length - 1;
    onAnswer?.(i);
    const answer = answers[i] ?? { chunks: [], end: 'complete' };
    if ('status' in answer)
      throw Object.assign(new Error(answer.message), { code: answer.status, body: JSON.stringify(answer) });
    return {
      body: (async function* () {
        for (const c of answer.chunks) yield Buffer.from(c);
        if (answer.end === 'error') throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
      })(),
      complete: () => answer.end === 'complete',
      close: () => undefined,
    };
  };
}

function fakeState(terminatedAfter: number, counter: () => number): ContainerState {
  return {
    terminated: () => counter() >= terminatedAfter,
    gone: false,
    until: async (predicate) => predicate(),
  };
}

async function follow(answers: Answer[], terminatedAfterConnection: number) {
  const queries: PodLogQuery[] = [];
  const written: Array<[LogStream, string]> = [];
  const follower = new ContainerLogFollower({
    namespace: 'ns',
    pod: 'p',
    open: fakeOpen(answers, queries),
    state: fakeState(terminatedAfterConnection, () => queries.length),
    logger: silentLogger,
    settleMs: 10,
  });
  await follower.follow('step', { write: (s, c) => written.push([s, c]) }, AbortSignal.timeout(5000));
  return { queries, written, text: written.map(([, c]) => c).join('') };
}

describe('ContainerLogFollower', () => {
  it('reads one complete stream of an ended container once, all as stdout', async () => {
    const { queries, written, text } = await follow([{ chunks: [line(1), line(2)], end: 'complete' }], 0);
    expect(text).toBe('line-1\nline-2\n');
    expect(written.every(([s]) => s === 'stdout')).toBe(true);
    expect(queries).toEqual([
      { namespace: 'ns', pod: 'p', container: 'step', follow: true, timestamps: true },
    ]);
  });

  it.each<[string, Answer[], number, string, (string | undefined)[]]>([
    [
      'a cut connection resumes a little before the newest timestamp, skipping what it wrote',
      [
        { chunks: [line(1), line(2)], end: 'cut' },
        { chunks: [line(1), line(2), line(3)], end: 'complete' },
      ],
      1,
      'line-1\nline-2\nline-3\n',
      [undefined, resumeAt],
    ],
    [
      'a connection failing mid-line resumes with the rest of that line',
      [
        { chunks: [line(1), line(2).slice(0, 34)], end: 'error' },
        { chunks: [line(1), line(2), line(3)], end: 'complete' },
      ],
      1,
      'line-1\nline-2\nline-3\n',
      [undefined, resumeAt],
    ],
    [
      'a stream the server ends while the container runs is reopened',
      [
        { chunks: [line(1)], end: 'complete' },
        { chunks: [line(1), line(2)], end: 'complete' },
      ],
      2,
      'line-1\nline-2\n',
      // The second began before the container ended: one more read, from the newest stamp.
      [undefined, resumeAt, resumeAt],
    ],
    [
      'a stream that ends as the container ends, before its log was all sent, is read once more',
      [
        { chunks: [line(1)], end: 'complete' },
        { chunks: [line(1), line(2), line(3)], end: 'complete' },
      ],
      1,
      'line-1\nline-2\nline-3\n',
      [undefined, resumeAt],
    ],
    [
      'an API error (500) is retried',
      [
        { status: 500, message: 'boom' },
        { chunks: [line(1)], end: 'complete' },
      ],
      1,
      'line-1\n',
      [undefined, undefined],
    ],
    [
      'the pod is gone (404): nothing more to read',
      [{ status: 404, message: 'pods "p" not found' }],
      9,
      '',
      [undefined],
    ],
  ])('%s', async (_name, answers, terminatedAfter, expected, since) => {
    const { text, queries } = await follow(answers, terminatedAfter);
    expect(text).toBe(expected);
    expect(queries.map((q) => q.sinceTime)).toEqual(since);
  });

  it('returns quietly when its signal aborts', async () => {
    const controller = new AbortController();
    const follower = new ContainerLogFollower({
      namespace: 'ns',
      pod: 'p',
      open: async () => {
        controller.abort();
        throw new Error('aborted');
      },
      state: { terminated: () => false, gone: false, until: async () => false },
      logger: silentLogger,
    });
    await expect(
      follower.follow('step', { write: () => undefined }, controller.signal),
    ).resolves.toBeUndefined();
  });
});
