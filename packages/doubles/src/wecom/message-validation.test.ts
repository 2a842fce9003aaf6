import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { validateMessage, validateRawMessage } from './message-validation.js';

const text = (content: unknown, extra: Record<string, unknown> = {}) => ({
  msgtype: 'text',
  text: { content, ...extra },
});
const markdown = (content: string, type = 'markdown') => ({ msgtype: type, [type]: { content } });

describe('WeCom message shape checks', () => {
  it('counts the limits in UTF-8 bytes, not characters', () => {
    const chinese682 = '部'.repeat(682); // 2046 bytes
    expect(validateMessage(text(`${chinese682}ab`)).ok).toBe(true); // 2048 bytes
    expect(validateMessage(text(`${chinese682}abc`))).toMatchObject({
      ok: false,
      errcode: 40058,
      text: 'text.content exceed max length 2048. invalid Request Parameter',
    });
    expect(validateMessage(markdown('x'.repeat(4096))).ok).toBe(true);
    expect(validateMessage(markdown(`${'x'.repeat(4095)}é`))).toMatchObject({ ok: false, errcode: 40058 });
    expect(validateMessage(markdown(`${'部'.repeat(1366)}`, 'markdown_v2'))).toMatchObject({
      ok: false,
      text: 'markdown_v2.content exceed max length 4096. invalid Request Parameter',
    });
  });

  it.each([
    ['no msgtype', { text: { content: 'hi' } }, 40008],
    ['unknown msgtype', { msgtype: 'textcard', textcard: {} }, 40008],
    ['upper-case msgtype', { msgtype: 'TEXT', text: { content: 'hi' } }, 40008],
    ['empty content', text(''), 44004],
    ['missing content', text(undefined), 44004],
    ['missing section', { msgtype: 'markdown' }, 44004],
    ['numeric content', text(42), 40058],
    ['mentioned_list not an array', text('hi', { mentioned_list: '@all' }), 40058],
    ['news without articles', { msgtype: 'news', news: { articles: [] } }, 40058],
    [
      'news with 9 articles',
      {
        msgtype: 'news',
        news: { articles: Array.from({ length: 9 }, () => ({ title: 't', url: 'https://x.example' })) },
      },
      40058,
    ],
    ['file without media_id', { msgtype: 'file', file: {} }, 40058],
    ['image with a wrong md5', { msgtype: 'image', image: { base64: 'aGk=', md5: '0'.repeat(32) } }, 40058],
  ])('rejects %s with errcode %i', (_name, body, errcode) => {
    expect(validateMessage(body)).toMatchObject({ ok: false, errcode });
  });

  it('answers 40008 with the wrong-json warning for a body that is not JSON', () => {
    expect(validateRawMessage('{"msgtype":"text",')).toMatchObject({
      ok: false,
      errcode: 40008,
      text: 'Warning: wrong json format. invalid message type',
    });
  });

  it('accepts the documented shapes and extracts mentions', () => {
    const t = validateMessage(
      text('部署失败', { mentioned_list: ['li.wei', '@all'], mentioned_mobile_list: ['13800001111'] }),
    );
    expect(t).toMatchObject({ ok: true, message: { mentions: ['li.wei', '@all', '13800001111'] } });
    const md = validateMessage(markdown('**失败** <@li.wei> and <@zhang.min>'));
    expect(md).toMatchObject({ ok: true, message: { mentions: ['li.wei', 'zhang.min'] } });
    const v2 = validateMessage(markdown('<@li.wei> is just text here', 'markdown_v2'));
    expect(v2).toMatchObject({ ok: true, message: { mentions: [] } });
    const png = Buffer.from('not really a png');
    const image = validateMessage({
      msgtype: 'image',
      image: { base64: png.toString('base64'), md5: createHash('md5').update(png).digest('hex') },
    });
    expect(image.ok).toBe(true);
    expect(
      validateMessage({
        msgtype: 'news',
        news: { articles: [{ title: '发布', url: 'https://ferry.example/p/1' }] },
      }).ok,
    ).toBe(true);
  });
});
