import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Secret } from '../config/secret.js';
import { createLogger } from './logger.js';

function capture() {
  const stream = new PassThrough();
  const lines: string[] = [];
  stream.on('data', (c: Buffer) => lines.push(...c.toString().trim().split('\n')));
  return { stream, lines };
}

describe('createLogger', () => {
  it('writes JSON lines and masks secret values in messages and redacts credential fields', async () => {
    const { stream, lines } = capture();
    const secret = new Secret('s3cr3t-token-value', 'env:X');
    const logger = createLogger({ destination: stream, secrets: [secret] });
    logger.info(
      { token: 'abc', req: { headers: { authorization: 'Bearer zzz' } } },
      'calling with s3cr3t-token-value',
    );
    logger.info({ password: secret }, 'secret object');
    await new Promise((r) => setImmediate(r));
    const text = lines.join('\n');
    expect(text).not.toContain('s3cr3t-token-value');
    expect(text).not.toContain('Bearer zzz');
    const first = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(first).toMatchObject({ level: 'info', msg: 'calling with [secret]', token: '[secret]' });
  });
});
