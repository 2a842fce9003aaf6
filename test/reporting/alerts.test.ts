import { type GitLabDouble, startGitLabDouble } from '@ferry/doubles/gitlab';
import { startWeComDouble, type WeComDouble } from '@ferry/doubles/wecom';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/ferry.js';
import { merge, until } from './support/pipelines.js';
import {
  type ReportingFerry,
  type ReportingFerryOptions,
  startReportingFerry,
} from './support/reporting-ferry.js';

const PROJECT = { projectId: 4217, path: 'shop/order-service' };

describe('operational alerts on the WeCom channel', () => {
  let wecom: WeComDouble;
  let opsKey: string;
  let gitlab: GitLabDouble | undefined;
  let t: ReportingFerry | undefined;

  beforeEach(async () => {
    wecom = await startWeComDouble();
    opsKey = wecom.addKey();
  });
  afterEach(async () => {
    await t?.close();
    t = undefined;
    await gitlab?.close();
    gitlab = undefined;
    await wecom.close();
  });

  async function start(alerts: Record<string, unknown>, options: Partial<ReportingFerryOptions> = {}) {
    t = await startReportingFerry({
      wecom,
      bots: [
        { name: 'team', key: wecom.key, projects: [PROJECT.path] },
        { name: 'ops', key: opsKey, projects: ['nobody/else'] },
      ],
      config: { alerts: { bots: ['ops'], ...alerts } },
      ...options,
    });
    return t;
  }

  const alertsTo = (key: string) => wecom.messages(key).filter((m) => m.msgtype === 'text');
  const metric = async (kind: string, result: string) => {
    const text = await (t as ReportingFerry).ferry.ctx.metrics.registry.metrics();
    return Number(
      new RegExp(`ferry_alerts_total\\{kind="${kind}",result="${result}"\\} (\\d+)`).exec(text)?.[1] ?? 0,
    );
  };

  it('alerts on a runner pending too long, once per interval, to the pipeline’s bots and the alert bots', async () => {
    const ferry = await start({ interval: '1s' });
    const { id } = await merge(ferry, { ...PROJECT });
    const pipeline = await until(ferry, id, ['success']);
    const details = {
      pendingMs: 360_000,
      reason: '0/3 nodes are available: 3 Insufficient cpu. @all',
      runner: `ferry-${id}-build`,
    };
    ferry.ferry.ctx.alerts.runnerPendingTooLong(pipeline, 'build', details);
    ferry.ferry.ctx.alerts.runnerPendingTooLong(pipeline, 'build', details);
    const [first] = await eventually(async () =>
      alertsTo(opsKey).length >= 1 ? alertsTo(opsKey) : undefined,
    );
    expect(first?.content).toContain(
      '【Ferry 告警】build 阶段的 runner 已 Pending 6分：shop/order-service → test',
    );
    expect(first?.content).toContain('原因：0/3 nodes are available: 3 Insufficient cpu. ＠all');
    expect(first?.mentions).toEqual([]);
    await eventually(async () => (alertsTo(wecom.key).length >= 1 ? true : undefined));
    await eventually(async () => ((await metric('runner_pending', 'suppressed')) === 1 ? true : undefined));
    expect(await metric('runner_pending', 'sent')).toBe(1);

    await new Promise((r) => setTimeout(r, 1_100));
    ferry.ferry.ctx.alerts.runnerPendingTooLong(pipeline, 'build', details);
    const again = await eventually(async () => (alertsTo(opsKey).length >= 2 ? alertsTo(opsKey) : undefined));
    expect(again[1]?.content).toContain('（此前还有 1 条同类告警未发送）');
    const logged = ferry.logs.filter((l) => l['alert'] === 'runner_pending');
    expect(logged).toHaveLength(3);
    expect(logged[0]).toMatchObject({ level: 'warn', pipelineId: id, stage: 'build', pendingMs: 360_000 });
  });

  it('alerts when a pipeline waited longer than the queue-wait objective', async () => {
    const ferry = await start({ queueWaitSlo: '1ms' });
    const first = await merge(ferry, { ...PROJECT });
    const second = await merge(ferry, { ...PROJECT });
    await until(ferry, first.id, ['success']);
    await until(ferry, second.id, ['success']);
    const [alert] = await eventually(async () =>
      alertsTo(wecom.key).length >= 1 ? alertsTo(wecom.key) : undefined,
    );
    expect(alert?.content).toMatch(
      /【Ferry 告警】流水线排队 \d+秒 才开始（目标 0秒 内）：shop\/order-service → test/,
    );
    await eventually(async () => ((await metric('queue_wait', 'suppressed')) >= 1 ? true : undefined));
    expect(alertsTo(wecom.key)).toHaveLength(1);
  });

  it('alerts when a reporter keeps failing, and the alert goes to the alert bots only', async () => {
    gitlab = await startGitLabDouble();
    gitlab.projects.addProject({ id: PROJECT.projectId, path_with_namespace: PROJECT.path });
    gitlab.outage(true);
    const ferry = await start({ reporterFailingAfter: '1s' }, { gitlab });
    const { id } = await merge(ferry, { ...PROJECT });
    await until(ferry, id, ['success']);
    const [alert] = await eventually(
      async () => (alertsTo(opsKey).length >= 1 ? alertsTo(opsKey) : undefined),
      20_000,
    );
    expect(alert?.content).toMatch(/【Ferry 告警】gitlab 上报已连续失败 \d+秒/);
    expect(alert?.content).toContain('最后的错误：GitLab: 503 an HTML error page');
    expect(alertsTo(wecom.key)).toEqual([]);
    const metrics = await ferry.ferry.ctx.metrics.registry.metrics();
    expect(metrics).toContain('ferry_reporter_failing{reporter="gitlab"} 1');
  });
});
