import { loadGitLabFixture } from '@ferry/doubles/gitlab';
import { type DeliveredMessage, startWeComDouble, type WeComDouble } from '@ferry/doubles/wecom';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { approvePipeline, cancelPipeline } from '../../packages/server/src/pipeline/actions.js';
import type {
  StageOutcome,
  StageRunner,
  StageRunRequest,
} from '../../packages/server/src/stages/stage-runner.js';
import { eventually } from '../support/ferry.js';
import { ScriptedRunner } from '../support/scripted-runner.js';
import { merge, until } from './support/pipelines.js';
import {
  PUBLIC_URL,
  type ReportingFerry,
  startReportingFerry,
  type TestBot,
} from './support/reporting-ferry.js';

const PROJECT = { projectId: 4217, path: 'shop/order-service' };
const MERGER = { username: 'li.wei', name: '李伟' };

/** Fails `failing` after writing `log` to its stage log; other stages succeed (after `ms`). */
class LoggingRunner implements StageRunner {
  failing: string | undefined;
  log: string[] = [];
  ms = 0;
  readonly inner = new ScriptedRunner();
  constructor(readonly ferry: () => ReportingFerry) {}

  async run(req: StageRunRequest): Promise<StageOutcome> {
    if (req.stage !== this.failing) {
      this.inner.script = () => ({ ms: this.ms });
      return this.inner.run(req);
    }
    await req.onStarted(`logging:${req.pipeline.id}:${req.stage}`);
    const writer = this.ferry().ferry.ctx.logs.writer(req.pipeline.id, req.stage);
    for (const line of this.log) writer.write('stdout', `${line}\n`);
    await writer.close();
    return { status: 'failed', reason: 'exit code 1' };
  }

  async destroy(): Promise<void> {}
}

describe('WeCom group bot messages', () => {
  let wecom: WeComDouble;
  let runner: LoggingRunner;
  let t: ReportingFerry | undefined;

  beforeEach(async () => {
    wecom = await startWeComDouble();
    runner = new LoggingRunner(() => t as ReportingFerry);
  });
  afterEach(async () => {
    await t?.close();
    t = undefined;
    await wecom.close();
  });

  async function start(bots?: TestBot[], config: Record<string, unknown> = {}) {
    t = await startReportingFerry({
      wecom,
      runner,
      mentions: { 'li.wei': 'LiWei' },
      ...(bots === undefined ? {} : { bots }),
      config,
    });
    return t;
  }

  const about = (id: string, key = wecom.key) =>
    wecom.messages(key).filter((m) => m.content?.includes(`/pipelines/${id}`));
  const messagesArrive = (id: string, n: number, key = wecom.key) =>
    eventually(async () => (about(id, key).length >= n ? about(id, key) : undefined));

  function expectWellFormed(message: DeliveredMessage) {
    const content = message.content ?? '';
    expect(Buffer.byteLength(content, 'utf8')).toBeLessThanOrEqual(message.msgtype === 'text' ? 2048 : 4096);
    expect(Buffer.from(content, 'utf8').toString('utf8')).toBe(content);
    expect(content).not.toContain('\ufffd');
  }

  it('tells who merged which merge request into which environment, then that it is deployed, in Chinese and English', async () => {
    const en = wecom.addKey();
    await start([
      { name: 'zh-team', key: wecom.key },
      { name: 'en-team', key: en, language: 'en' },
    ]);
    const { id } = await merge(t as ReportingFerry, {
      ...PROJECT,
      title: '修复订单金额计算',
      user: MERGER,
      mergeRequest: { iid: 42, title: '修复订单金额计算', sourceBranch: 'feature/total' },
    });
    await until(t as ReportingFerry, id, ['success']);
    // Started when the pipeline starts (tests still run), deploying only when the deploy starts.
    const zh = await messagesArrive(id, 3);
    expect(zh.map((m) => m.msgtype)).toEqual(['markdown', 'markdown', 'markdown']);
    expect(zh[0]?.content).toContain('**🚦 开始** shop/order-service → <font color="comment">test</font>');
    expect(zh[0]?.content).toContain('李伟（li.wei） 合并了 !42 修复订单金额计算（feature/total → test）');
    expect(zh[1]?.content).toContain(
      '**🚀 开始部署** shop/order-service → <font color="comment">test</font>',
    );
    expect(zh[2]?.content).toContain('**✅ 部署成功**');
    expect(zh[2]?.content).toMatch(/耗时：\d+秒/);
    expect(zh[2]?.content).toContain(`[查看流水线](${PUBLIC_URL}/pipelines/${id})`);
    const english = await messagesArrive(id, 3, en);
    expect(english[0]?.content).toContain('**🚦 Started**');
    expect(english[0]?.content).toContain('李伟 (li.wei) merged !42 修复订单金额计算 (feature/total → test)');
    expect(english[1]?.content).toContain('**🚀 Deploying**');
    expect(english[2]?.content).toContain('**✅ Deployed**');
    for (const m of [...zh, ...english]) {
      expectWellFormed(m);
      expect(m.mentions).toEqual([]);
    }
  });

  it('on a failure names the stage, quotes the end of its log, links it and mentions the merger', async () => {
    runner.failing = 'test';
    runner.log = ["Error: Cannot find module './total'"]
      .concat(Array.from({ length: 40 }, (_, i) => `line ${i}`))
      .concat(['npm ERR! 1 test failed']);
    await start();
    const { id } = await merge(t as ReportingFerry, { ...PROJECT, user: MERGER, title: 'Fix rounding' });
    await until(t as ReportingFerry, id, ['failed']);
    const [, failed] = await messagesArrive(id, 2);
    const content = failed?.content ?? '';
    expect(content).toContain('**❌ 部署失败**');
    expect(content).toContain('> 失败阶段：test');
    expect(content).toContain('> 原因：exit code 1');
    // The first error (far above the tail) and the tail both.
    expect(content).toContain("第一个错误：\n> Error: Cannot find module './total'");
    expect(content).toContain('> npm ERR! 1 test failed');
    expect(content).toContain('日志最后 15 行：');
    expect(content).toContain('> npm ERR! 1 test failed');
    expect(content).not.toContain('> line 25\n');
    expect(content).toContain(`[查看日志](${PUBLIC_URL}/pipelines/${id}#test)`);
    expect(failed?.mentions).toEqual(['LiWei']);
  });

  it('says a deploy waits for approval, who approved it, and a cancel', async () => {
    runner.ms = 50;
    await start();
    const { id } = await merge(t as ReportingFerry, { ...PROJECT, branch: 'master', user: MERGER });
    await until(t as ReportingFerry, id, ['waiting_approval']);
    const [, waiting] = await messagesArrive(id, 2);
    expect(waiting?.content).toContain('**⏸️ 等待审批**');
    expect(waiting?.content).toMatch(/部署到 prod 需要审批，截止 \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(waiting?.content).toContain(`[去审批](${PUBLIC_URL}/pipelines/${id})`);
    await approvePipeline((t as ReportingFerry).ferry.ctx, id, 'wang.fang');
    await until(t as ReportingFerry, id, ['success']);
    const all = await messagesArrive(id, 4);
    expect(all[2]?.content).toContain('wang.fang 批准了部署');
    expect(all[3]?.content).toContain('**✅ 部署成功**');

    runner.ms = 30_000;
    const second = await merge(t as ReportingFerry, { ...PROJECT, user: MERGER });
    await messagesArrive(second.id, 1);
    await cancelPipeline((t as ReportingFerry).ferry.ctx, second.id, 'alice');
    await until(t as ReportingFerry, second.id, ['canceled']);
    const [, canceled] = await messagesArrive(second.id, 2);
    expect(canceled?.content).toContain('**⏹️ 已取消**');
  });

  it('keeps hostile commit titles, names and branches inert and every message within its byte limit', async () => {
    const push = loadGitLabFixture('push-hostile') as unknown as {
      commits: Array<{ message: string }>;
      user_name: string;
    };
    const mr = loadGitLabFixture('merge-request-hostile') as unknown as {
      object_attributes: { title: string; source_branch: string };
    };
    const hostileTitle = push.commits[0]?.message ?? '';
    runner.failing = 'build';
    runner.log = [
      hostileTitle,
      ...Array.from({ length: 200 }, (_, i) => `错误 ${i}：${'构建失败'.repeat(80)} <@all>`),
    ];
    await start();
    const { id } = await merge(t as ReportingFerry, {
      ...PROJECT,
      title: hostileTitle,
      user: { username: 'li.wei', name: push.user_name },
      mergeRequest: {
        iid: 7,
        title: mr.object_attributes.title,
        sourceBranch: mr.object_attributes.source_branch,
      },
    });
    await until(t as ReportingFerry, id, ['failed']);
    const messages = await messagesArrive(id, 2);
    for (const message of messages) {
      expectWellFormed(message);
      const content = message.content ?? '';
      expect(content).not.toMatch(/@all/);
      expect(content).not.toMatch(/phish\.example\/|https?:\/\/phish/);
      expect(content).not.toMatch(/<(script|img|b)\b/);
      expect(
        [...content.matchAll(/\]\(([^)]*)\)/g)].every((m) =>
          m[1]?.startsWith(`${PUBLIC_URL}/pipelines/${id}`),
        ),
      ).toBe(true);
      expect(content.match(/<font/g)).toHaveLength(1);
      expect(content).not.toContain('\u202e');
    }
    expect(messages[0]?.content).toContain('＜＠all＞ ＠all ＊＊紧急＊＊ ＜script＞');
    expect(messages[0]?.mentions).toEqual([]);
    expect(messages[1]?.mentions).toEqual(['LiWei']);
    expect(messages[1]?.content).toContain('错误 199');
  });

  it('stops sending to a bot whose key WeCom does not know (93000), says so in logs and metrics, and goes on with the others', async () => {
    await start([
      { name: 'gone', key: 'wecom-key-of-a-removed-bot' },
      { name: 'team', key: wecom.key },
    ]);
    const ferry = t as ReportingFerry;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await merge(ferry, { ...PROJECT })).id);
    for (const id of ids) await until(ferry, id, ['success']);
    for (const id of ids) await messagesArrive(id, 2);
    const toGone = wecom.requests.filter((r) => r.query['key'] === 'wecom-key-of-a-removed-bot');
    expect(toGone).toHaveLength(1);
    expect(JSON.parse(toGone[0]?.response?.body ?? '{}')).toMatchObject({ errcode: 93000 });
    const loud = ferry.logs.filter((l) => l['code'] === 'FERRY_ERR_REPORTING_WECOM_BAD_KEY');
    expect(loud).toHaveLength(1);
    expect(loud[0]).toMatchObject({ level: 'error', bot: 'gone' });
    expect(JSON.stringify(ferry.logs)).not.toContain('wecom-key-of-a-removed-bot');
    const metrics = await ferry.ferry.ctx.metrics.registry.metrics();
    expect(metrics).toContain('ferry_wecom_bot_disabled{bot="gone"} 1');
    expect(metrics).toContain('ferry_wecom_bot_disabled{bot="team"} 0');
    expect(metrics).toMatch(/ferry_reporter_sends_total\{reporter="wecom",result="bad_key"\} 1/);
  });

  it('retries through WeCom outages and "system busy"', async () => {
    await start();
    wecom.outage(true);
    const { id } = await merge(t as ReportingFerry, { ...PROJECT });
    await until(t as ReportingFerry, id, ['success']);
    await eventually(async () => (wecom.requests.length >= 2 ? true : undefined));
    wecom.outage(false);
    wecom.systemBusy(1);
    const messages = await messagesArrive(id, 3);
    expect(messages.map((m) => (m.content ?? '').split('\n')[0])).toEqual([
      expect.stringContaining('开始'),
      expect.stringContaining('开始部署'),
      expect.stringContaining('部署成功'),
    ]);
  });
});
