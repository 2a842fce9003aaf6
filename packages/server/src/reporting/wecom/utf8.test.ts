import { describe, expect, it } from 'vitest';
import { lastLinesWithin, truncateUtf8, utf8Bytes } from './utf8.js';

describe('truncateUtf8', () => {
  it.each([
    ['fits as it is', 'hello', 5, 'hello'],
    ['ASCII cut with the marker', 'hello world', 8, 'hello…'],
    // 部 is 3 bytes; … is 3 bytes: 10 bytes leave 7 for text → two characters.
    ['never inside a Chinese character', '部署成功了', 10, '部署…'],
    // 🚀 is 4 bytes (a surrogate pair in JS): never split.
    ['never inside an emoji', 'a🚀🚀', 8, 'a🚀…'],
    ['never inside an emoji, one byte short', 'a🚀🚀', 7, 'a…'],
    ['a budget below the marker', 'abcdef', 2, ''],
  ])('%s', (_name, text, max, expected) => {
    const out = truncateUtf8(text, max);
    expect(out).toBe(expected);
    expect(utf8Bytes(out)).toBeLessThanOrEqual(max);
    expect(Buffer.from(out, 'utf8').toString('utf8')).toBe(out);
  });
});

describe('lastLinesWithin', () => {
  it('keeps the last lines that fit, in order', () => {
    expect(lastLinesWithin(['one', 'two', 'three', 'four'], 11)).toEqual(['three', 'four']);
    expect(lastLinesWithin(['a'.repeat(20)], 10)).toEqual([]);
  });
});
