import type { Readable } from 'node:stream';

/** More than any GitLab token; a caller that sends more is refused, not buffered without end. */
export const MAX_TOKEN_BYTES = 4096;

/**
 * The clone token from a stream (`ferry-runner clone --token-stdin`): everything up to the end of
 * the stream, without the line end. Kept out of the environment, so `docker inspect` and
 * /proc/<pid>/environ of the runner never show it. Throws when the stream holds more than
 * MAX_TOKEN_BYTES or more than one line; the message never holds what was read.
 */
export async function readToken(input: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input.iterator({ destroyOnReturn: false })) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > MAX_TOKEN_BYTES)
      throw new Error(`the token on standard input is longer than ${MAX_TOKEN_BYTES} bytes`);
    chunks.push(buf);
  }
  const text = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (/[\r\n\0]/.test(text)) throw new Error('the token on standard input holds a line break or a NUL');
  return text;
}
