import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MAX_TOKEN_BYTES, readToken } from './read-token.js';

const from = (...chunks: string[]) => Readable.from(chunks.map((c) => Buffer.from(c)));

describe('readToken', () => {
  it.each([
    ['glpat-abc\n', 'glpat-abc'],
    ['glpat-abc\r\n', 'glpat-abc'],
    ['glpat-abc', 'glpat-abc'],
    ['', ''],
  ])('reads %j as %j', async (input, token) => {
    expect(await readToken(from(input))).toBe(token);
  });

  it('joins a token split across chunks', async () => {
    expect(await readToken(from('glp', 'at-', 'xyz\n'))).toBe('glpat-xyz');
  });

  it('refuses two lines and NULs without echoing them', async () => {
    await expect(readToken(from('secret-one\nsecret-two\n'))).rejects.toThrow(/line break/);
    await expect(readToken(from('secret-one\nsecret-two\n'))).rejects.not.toThrow(/secret/);
    await expect(readToken(from('a\0b'))).rejects.toThrow(/NUL/);
  });

  it('refuses more than MAX_TOKEN_BYTES', async () => {
    await expect(readToken(from('x'.repeat(MAX_TOKEN_BYTES + 1)))).rejects.toThrow(/longer than/);
  });
});
