import { describe, expect, it } from 'vitest';
import { MaskStream } from './mask-stream.js';

async function through(values: string[], chunks: string[]): Promise<{ out: string; writes: string[] }> {
  const stream = new MaskStream(values);
  const writes: string[] = [];
  stream.on('data', (c: string) => writes.push(c));
  const ended = new Promise((resolve) => stream.on('end', resolve));
  for (const chunk of chunks) stream.write(chunk);
  stream.end();
  await ended;
  return { out: writes.join(''), writes };
}

describe('MaskStream', () => {
  it.each<[string, string[], string[], string]>([
    ['one chunk', ['s3cret'], ['a s3cret b\n'], 'a [masked] b\n'],
    ['split across chunks', ['s3cret'], ['a s3', 'cret b\n'], 'a [masked] b\n'],
    ['no newline at the end', ['s3cret'], ['x s3', 'cret'], 'x [masked]'],
    ['carriage returns end lines', ['s3cret'], ['10%\r', '20% s3cret\r'], '10%\r20% [masked]\r'],
    ['longest first', ['abc', 'abcdef'], ['abcdef abc\n'], '[masked] [masked]\n'],
    ['nothing to mask', [], ['plain\n'], 'plain\n'],
    ['empty values are ignored', [''], ['plain\n'], 'plain\n'],
  ])('%s', async (_name, values, chunks, expected) => {
    expect((await through(values, chunks)).out).toBe(expected);
  });

  it('never writes part of a secret', async () => {
    const { writes } = await through(['s3cret'], ['s', '3', 'c', 'r', 'e', 't', '\n']);
    expect(writes.some((w) => w.includes('s3') && !w.includes('s3cret'))).toBe(false);
  });
});
