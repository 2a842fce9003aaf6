import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, startWeComDouble, type WeComDouble } from './index.js';

let clock: ManualClock;
let wc: WeComDouble;

beforeEach(async () => {
  clock = new ManualClock();
  wc = await startWeComDouble({ now: () => clock.now() });
});

afterEach(async () => {
  await wc.close();
});

async function send(body: unknown, key: string = wc.key) {
  const res = await fetch(`${wc.url}/cgi-bin/webhook/send?key=${encodeURIComponent(key)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    json: (await res.json()) as { errcode: number; errmsg: string },
  };
}

const markdown = (content: string) => ({ msgtype: 'markdown', markdown: { content } });

describe('POST /cgi-bin/webhook/send', () => {
  it('accepts a message with errcode 0 and keeps it for assertions', async () => {
    const res = await send({
      msgtype: 'text',
      text: { content: '✅ order-service 已部署到 test', mentioned_list: ['li.wei'] },
    });
    expect(res).toEqual({
      status: 200,
      contentType: 'application/json; charset=UTF-8',
      json: { errcode: 0, errmsg: 'ok' },
    });
    expect(wc.messages(wc.key)).toMatchObject([
      { msgtype: 'text', content: '✅ order-service 已部署到 test', mentions: ['li.wei'], key: wc.key },
    ]);
    expect(wc.webhookUrl()).toBe(`${wc.url}/cgi-bin/webhook/send?key=${wc.key}`);
  });

  it('answers 93000 inside HTTP 200 for an unknown or missing key, and after a bot is removed', async () => {
    const unknown = await send(markdown('hi'), 'not-a-key');
    expect(unknown.status).toBe(200);
    expect(unknown.json.errcode).toBe(93000);
    expect(unknown.json.errmsg).toMatch(
      /^invalid webhook url, hint: \[\d+\], from ip: 127\.0\.0\.1, more info at https:\/\/open\.work\.weixin\.qq\.com\/devtool\/query\?e=93000$/,
    );
    const res = await fetch(`${wc.url}/cgi-bin/webhook/send`, {
      method: 'POST',
      body: JSON.stringify(markdown('hi')),
    });
    expect(((await res.json()) as { errcode: number }).errcode).toBe(93000);
    wc.keys.delete(wc.key);
    expect((await send(markdown('hi'))).json.errcode).toBe(93000);
    expect(wc.messages()).toEqual([]);
  });

  it('rejects over-long content with 40058, counting UTF-8 bytes', async () => {
    const res = await send(markdown('失'.repeat(1366)));
    expect(res.json.errcode).toBe(40058);
    expect(res.json.errmsg).toMatch(
      /^markdown\.content exceed max length 4096\. invalid Request Parameter, hint: /,
    );
    expect((await send(markdown('失'.repeat(1365)))).json.errcode).toBe(0);
  });

  it('rejects empty content, unknown types and bodies that are not JSON', async () => {
    expect((await send({ msgtype: 'text', text: { content: '' } })).json.errcode).toBe(44004);
    expect((await send({ msgtype: 'link', link: {} })).json.errcode).toBe(40008);
    const broken = await send('{"msgtype": "text", "text": {"content": "hi"');
    expect(broken.json.errcode).toBe(40008);
    expect(broken.json.errmsg.startsWith('Warning: wrong json format.')).toBe(true);
  });

  it('answers 43002 to anything but POST', async () => {
    const res = await fetch(wc.webhookUrl());
    expect(((await res.json()) as { errcode: number }).errcode).toBe(43002);
  });
});

describe('rate limit', () => {
  it('accepts 20 messages a minute per key, answers 45009 past it, and recovers as the minute slides', async () => {
    const other = wc.addKey('second-bot');
    for (let i = 0; i < 20; i += 1) {
      expect((await send(markdown(`#${i}`))).json.errcode).toBe(0);
      clock.advance(1000);
    }
    const over = await send(markdown('#20'));
    expect(over.json.errcode).toBe(45009);
    expect(over.json.errmsg.startsWith('api freq out of limit, hint: [')).toBe(true);
    expect((await send(markdown('other bot'), other)).json.errcode).toBe(0);

    clock.advance(40_001); // the first message is now more than 60 s old
    expect((await send(markdown('#21'))).json.errcode).toBe(0);
    expect((await send(markdown('#22'))).json.errcode).toBe(45009);
    expect(wc.messages(wc.key)).toHaveLength(21);
  });

  it('can be tightened for a test', async () => {
    wc.setLimitPerMinute(2);
    const codes = [];
    for (let i = 0; i < 3; i += 1) codes.push((await send(markdown(`#${i}`))).json.errcode);
    expect(codes).toEqual([0, 0, 45009]);
  });

  it('does not count rejected messages against the limit', async () => {
    wc.setLimitPerMinute(1);
    expect((await send(markdown(''))).json.errcode).toBe(44004);
    expect((await send(markdown('ok'))).json.errcode).toBe(0);
  });
});

describe('faults and the request log', () => {
  it('injects HTTP outages and WeCom’s own "system busy"', async () => {
    wc.outage(true);
    expect((await fetch(wc.webhookUrl(), { method: 'POST', body: '{}' })).status).toBe(503);
    wc.outage(false);
    wc.systemBusy(1);
    expect((await send(markdown('a'))).json).toEqual({ errcode: -1, errmsg: 'system busy' });
    expect((await send(markdown('a'))).json.errcode).toBe(0);
  });

  it('records every request with its parsed body and the answer', async () => {
    await send(markdown('**失败** <@li.wei>'));
    await send(markdown('x'), 'nope');
    expect(
      wc.requests.map((r) => [
        r.query['key'],
        r.response?.status,
        JSON.parse(r.response?.body ?? '{}').errcode,
      ]),
    ).toEqual([
      [wc.key, 200, 0],
      ['nope', 200, 93000],
    ]);
    expect(wc.requests[0]?.body).toEqual(markdown('**失败** <@li.wei>'));
    expect(wc.messages()[0]?.mentions).toEqual(['li.wei']);
  });
});
