import { describe, expect, it } from 'vitest';
import { escapeLogLine, escapeMarkdown, escapePlain, markdownUrl, mentionTag } from './markdown-escape.js';

describe('escapeMarkdown', () => {
  it.each([
    ['plain text stays', 'Fix order total', 'Fix order total'],
    ['Chinese stays', '修复订单金额计算', '修复订单金额计算'],
    ['a mention tag', '<@all> hi', '＜＠all＞ hi'],
    ['@all', 'ping @all', 'ping ＠all'],
    ['a link', '[click](https://evil.example)', '［click］(https:/\u200b/evil.example)'],
    [
      'a bare URL',
      'see http://evil.example and www.evil.example',
      'see http:/\u200b/evil.example and www\u200b.evil.example',
    ],
    ['font colour tags', '<font color="warning">x</font>', '＜font color="warning"＞x＜/font＞'],
    ['bold and code', '**bold** `code`', '＊＊bold＊＊ ｀code｀'],
    ['entities', '&lt;@all&gt;', '＆lt;＠all＆gt;'],
    [
      'line breaks become spaces',
      'title\n# heading\n> quote',
      'title ＃ heading ＞ quote'.replace('＃', '#'),
    ],
    ['hidden characters are removed', 'a\u202eb\u200bc\u0007d', 'abcd'],
    ['a lone surrogate becomes U+FFFD', 'a\ud800b', 'a\ufffdb'],
  ])('%s', (_name, text, expected) => {
    expect(escapeMarkdown(text, 200)).toBe(expected);
  });

  it('clips to a number of characters', () => {
    expect(escapeMarkdown('部署'.repeat(100), 10)).toBe(`${'部署'.repeat(4)}部…`);
  });
});

describe('escapeLogLine', () => {
  it('keeps indentation and neutralises a leading heading', () => {
    expect(escapeLogLine('    at Object.<anonymous> (/app/x.js:1:2)', 200)).toBe(
      '    at Object.＜anonymous＞ (/app/x.js:1:2)',
    );
    expect(escapeLogLine('# not a heading', 200)).toBe('＃ not a heading');
    expect(escapeLogLine('\u001b[31mred\u001b[0m', 200)).toBe('red');
    expect(
      escapeLogLine('\u001b[2K\u001b]8;;https://x.example\u0007link\u001b]8;;\u0007 \u001b[?25hok', 200),
    ).toBe('link ok');
  });
});

describe('escapePlain', () => {
  it('keeps mentions out of text messages', () => {
    expect(escapePlain('@all\nlook', 100)).toBe('＠all look');
  });
});

describe('markdownUrl', () => {
  it.each([
    ['https://ferry.example.com/pipelines/p41#test', 'https://ferry.example.com/pipelines/p41#test'],
    ['https://ferry.example.com/a b)(', 'https://ferry.example.com/a%20b%29%28'],
    ['javascript:alert(1)', undefined],
    ['not a url', undefined],
  ])('%s', (url, expected) => {
    expect(markdownUrl(url)).toBe(expected);
  });
});

describe('mentionTag', () => {
  it.each([
    ['li.wei', '<@li.wei>'],
    ['LiWei_01', '<@LiWei_01>'],
    // WeCom user ids may hold @ . _ - (e.g. an e-mail-like id): those people are mentioned too.
    ['li.wei@shop.example', '<@li.wei@shop.example>'],
    ['zhang-san_2', '<@zhang-san_2>'],
    ['@all', undefined],
    ['.hidden', undefined],
    ['a'.repeat(65), undefined],
    ['all>', undefined],
    ['x> <@all', undefined],
    [undefined, undefined],
  ])('%s', (id, expected) => {
    expect(mentionTag(id)).toBe(expected);
  });
});
