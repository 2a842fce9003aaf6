import { startWeComDouble, type WeComDouble } from '@ferry/doubles/wecom';
import { afterEach, describe, expect, it } from 'vitest';
import { TestClock } from './support/manual-clock.js';
import { merge, until } from './support/pipelines.js';
import { type ReportingFerry, startReportingFerry } from './support/reporting-ferry.js';

/** How many of `ids` the double's messages name exactly three times (started, deploying, deployed). */
function toldThrice(double: WeComDouble, ids: readonly string[]): number {
  const text = double
    .messages()
    .map((m) => m.content ?? '')
    .join('\n');
  return ids.filter((id) => text.split(`/pipelines/${id})`).length - 1 === 3).length;
}

/** Moves the test clock a second at a time until every pipeline was told about (or 60 s passed). */
async function advanceUntilTold(
  clock: TestClock,
  double: WeComDouble,
  ids: readonly string[],
): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (toldThrice(double, ids) < ids.length && Date.now() < deadline) {
    clock.advance(1_000);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** WeCom's limit on its own clock: no 45009, and no 21 messages within a minute. */
function expectWithinLimit(double: WeComDouble): void {
  const answers = double.requests.map((r) => JSON.parse(r.response?.body ?? '{}') as { errcode?: number });
  expect(answers.filter((a) => a.errcode === 45009)).toEqual([]);
  const at = double.messages().map((m) => m.receivedAt);
  for (const start of at)
    expect(at.filter((x) => x >= start && x < start + 60_000).length).toBeLessThanOrEqual(20);
}

describe('a WeCom burst', () => {
  let wecom: WeComDouble | undefined;
  let t: ReportingFerry | undefined;
  afterEach(async () => {
    await t?.close();
    await wecom?.close();
  });

  it('tells about 100 pipelines without losing a message, coalescing them under 20 a minute', async () => {
    const clock = new TestClock();
    wecom = await startWeComDouble({ now: () => clock.now() });
    const double = wecom;
    t = await startReportingFerry({ wecom, clock, config: { limits: { concurrency: 16 } } });
    const ferry = t;
    const ids: string[] = [];
    for (let i = 0; i < 100; i++)
      ids.push((await merge(ferry, { projectId: 5000 + i, path: `burst/service-${i}` })).id);
    for (const id of ids) await until(ferry, id, ['success'], 60_000);

    // Every pipeline's link appears three times: started, deploying, deployed.
    await advanceUntilTold(clock, double, ids);
    const messages = double.messages();
    const text = messages.map((m) => m.content ?? '').join('\n');
    for (const id of ids) {
      expect(text.split(`/pipelines/${id})`).length - 1, `pipeline ${id} told three times`).toBe(3);
    }
    expectWithinLimit(double);
    // Coalesced: far fewer messages than notices, digests among them, each within 4096 bytes.
    expect(messages.length).toBeLessThan(60);
    expect(messages.some((m) => /^\*\*Ferry：\d+ 条流水线动态\*\*/.test(m.content ?? ''))).toBe(true);
    for (const m of messages) expect(Buffer.byteLength(m.content ?? '', 'utf8')).toBeLessThanOrEqual(4096);
  }, 120_000);

  it('two bots configured with one webhook key share its 20-a-minute budget (issue 13)', async () => {
    // WeCom counts per webhook key (https://developer.work.weixin.qq.com/document/path/91770:
    // "每个机器人发送的消息不能超过20条/分钟"; a bot is its key), so two configured names on one key
    // must not each spend 20.
    const clock = new TestClock();
    wecom = await startWeComDouble({ now: () => clock.now() });
    const double = wecom;
    const paths = Array.from({ length: 30 }, (_, i) => `shared/${i % 2 === 0 ? 'backend' : 'frontend'}-${i}`);
    t = await startReportingFerry({
      wecom,
      clock,
      bots: [
        { name: 'backend', key: wecom.key, projects: paths.filter((p) => p.includes('backend')) },
        { name: 'frontend', key: wecom.key, projects: paths.filter((p) => p.includes('frontend')) },
      ],
      config: { limits: { concurrency: 16 } },
    });
    const ferry = t;
    const ids: string[] = [];
    for (const [i, path] of paths.entries()) ids.push((await merge(ferry, { projectId: 7000 + i, path })).id);
    for (const id of ids) await until(ferry, id, ['success'], 60_000);
    await advanceUntilTold(clock, double, ids);
    expect(toldThrice(double, ids)).toBe(ids.length);
    // 90 notices on one key: were the budget per bot name, up to 40 would go out in a minute and
    // WeCom would answer 45009. Shared, no minute holds more than 20 and nothing is refused.
    expectWithinLimit(double);
  }, 120_000);

  it('waits and sends again when WeCom answers 45009, losing nothing', async () => {
    const clock = new TestClock();
    wecom = await startWeComDouble({ now: () => clock.now(), limitPerMinute: 4 });
    const double = wecom;
    t = await startReportingFerry({ wecom, clock });
    const ferry = t;
    const ids: string[] = [];
    for (let i = 0; i < 6; i++)
      ids.push((await merge(ferry, { projectId: 6000 + i, path: `limited/service-${i}` })).id);
    for (const id of ids) await until(ferry, id, ['success']);
    const told = () => {
      const text = double
        .messages()
        .map((m) => m.content ?? '')
        .join('\n');
      return ids.every((id) => text.split(`/pipelines/${id})`).length - 1 === 3);
    };
    const deadline = Date.now() + 30_000;
    while (!told() && Date.now() < deadline) {
      clock.advance(2_000);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(told()).toBe(true);
    const answers = double.requests.map((r) => JSON.parse(r.response?.body ?? '{}') as { errcode?: number });
    expect(answers.filter((a) => a.errcode === 45009).length).toBeGreaterThan(0);
    const metrics = await ferry.ferry.ctx.metrics.registry.metrics();
    expect(metrics).toMatch(/ferry_reporter_sends_total\{reporter="wecom",result="rate_limited"\} [1-9]/);
  }, 60_000);
});
