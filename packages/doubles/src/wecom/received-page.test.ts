import { afterEach, beforeEach, expect, it } from 'vitest';
import { startWeComDouble, type WeComDouble } from './index.js';

let wc: WeComDouble;
beforeEach(async () => {
  wc = await startWeComDouble({ keys: ['bot-key-0123456789'] });
});
afterEach(async () => {
  await wc.close();
});

it('shows the messages it accepted at /, newest first, escaped, with the key shortened', async () => {
  const send = (body: unknown, key = wc.key) =>
    fetch(wc.webhookUrl(key), { method: 'POST', body: JSON.stringify(body) });
  await send({ msgtype: 'text', text: { content: 'first <i>', mentioned_list: ['li.wei'] } });
  await send({ msgtype: 'markdown', markdown: { content: '**已部署** 到 test' } });
  await send({ msgtype: 'text', text: { content: 'refused' } }, 'not-a-key');
  const res = await fetch(`${wc.url}/`);
  expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
  const html = await res.text();
  expect(html).toContain('<td>li.wei</td><td><pre>first &lt;i&gt;</pre></td>');
  expect(html.indexOf('**已部署** 到 test')).toBeLessThan(html.indexOf('first &lt;i&gt;'));
  expect(html).not.toContain('refused');
  expect(html).toContain('<code>bot-…</code>');
  expect(html).not.toContain('bot-key-0123456789');
});
