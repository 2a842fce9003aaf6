import { describe, expect, it } from 'vitest';
import { parseWellFormedJson, wellFormed, wellFormedDeep } from './well-formed-json.js';

describe('well-formed text at intake', () => {
  it.each([
    ['a lone high surrogate', 'fix \ud800 title', 'fix \ufffd title'],
    ['a lone low surrogate', 'x\udc00y', 'x\ufffdy'],
    ['a high surrogate at the end', 'end\ud83d', 'end\ufffd'],
    ['two high surrogates', '\ud800\ud800', '\ufffd\ufffd'],
    ['a valid pair (emoji) is kept', 'ship 🚀', 'ship 🚀'],
    ['CJK is kept', '修复登录', '修复登录'],
    ['plain ASCII is kept', 'feat: x', 'feat: x'],
  ])('%s', (_name, input, expected) => {
    expect(wellFormed(input)).toBe(expected);
  });

  it('parses JSON whose escapes name a lone surrogate into well-formed strings, keys included', () => {
    const parsed = parseWellFormedJson('{"title":"a\\ud800b","\\udc00k":["\\ud83d\\ude80","\\ud800"]}');
    expect(parsed).toEqual({ title: 'a\ufffdb', '\ufffdk': ['🚀', '\ufffd'] });
    expect(Buffer.from(JSON.stringify(parsed), 'utf8').toString('utf8')).toBe(JSON.stringify(parsed));
  });

  it('normalises a parsed body deeply and leaves other values alone', () => {
    expect(wellFormedDeep({ a: ['x\ud800'], n: 1, b: true, z: null })).toEqual({
      a: ['x\ufffd'],
      n: 1,
      b: true,
      z: null,
    });
  });
});
