import type { PipelineRecord, StageRecord } from '@ferry/shared';
import { describe, expect, it } from 'vitest';
import type { Transition } from '../reporter.js';
import { buildNotice, type Notice, noticeKindFor } from './notice.js';
import { renderAlertText } from './render-alert.js';
import { renderDigest } from './render-digest.js';
import { renderNotice } from './render-notice.js';
import { utf8Bytes } from './utf8.js';

function pipeline(
  patch: Partial<PipelineRecord> = {},
  stages: Partial<Record<string, Partial<StageRecord>>> = {},
): PipelineRecord {
  return {
    id: 'p41',
    project: { id: 4217, path: 'shop/order-service', webUrl: '', cloneUrl: '' },
    environment: 'test',
    ref: 'test',
    sha: '36dd036d3f914c9aec66075ca425d6b611fb8d29',
    trigger: 'merge',
    user: { username: 'li.wei', name: '李伟' },
    commitTitle: '修复订单金额计算',
    mergeRequest: { iid: 42, title: 'Fix order total', sourceBranch: 'feature/total', url: '' },
    status: 'running',
    stages: (['test', 'build', 'deploy'] as const).map((name) => ({
      name,
      status: 'pending',
      attempts: 0,
      ...stages[name],
    })),
    priority: 10,
    lane: '4217:test',
    createdAt: '2025-03-14T02:00:00.000Z',
    queuedAt: '2025-03-14T02:00:00.000Z',
    startedAt: '2025-03-14T02:00:01.000Z',
    ...patch,
  };
}

const at = '2025-03-14T02:05:00.000Z';
const transition = (status: string): Transition =>
  ({ id: '1-0', kind: 'pipeline', pipelineId: 'p41', status, at }) as Transition;
const url = 'https://ferry.example.com/pipelines/p41';
const extras = { url, stageUrl: (stage: string) => `${url}#${stage}` };

function noticeOf(
  status: string,
  record: PipelineRecord,
  more: Partial<Parameters<typeof buildNotice>[3]> = {},
): Notice {
  const t = transition(status);
  const kind = noticeKindFor(t, record);
  if (kind === undefined) throw new Error(`no notice for ${status}`);
  return buildNotice(kind, t, record, { ...extras, ...more });
}

const failed = pipeline(
  { status: 'failed', finishedAt: '2025-03-14T02:01:03.000Z', reason: 'stage test failed: exit code 1' },
  { test: { status: 'failed', reason: 'exit code 1' } },
);
const rolledBack = pipeline(
  { status: 'failed', finishedAt: '2025-03-14T02:04:01.000Z' },
  {
    deploy: { status: 'failed', reason: 'rollout timed out; rolled back to registry.vpc/shop/order:3f2a1c0' },
  },
);

/** A pipeline that tested, built and deployed. */
const deployed = pipeline(
  { status: 'success', finishedAt: '2025-03-14T02:02:04.000Z' },
  { test: { status: 'success' }, build: { status: 'success' }, deploy: { status: 'success' } },
);

describe('noticeKindFor', () => {
  it.each([
    ['running', pipeline(), 'started'],
    [
      'running',
      pipeline({ approval: { required: true, approvedBy: 'wang', approvedAt: '2025-03-14T02:04:00.000Z' } }),
      'approved',
    ],
    [
      'running',
      pipeline({ approval: { required: true, approvedBy: 'wang', approvedAt: '2025-03-14T02:06:00.000Z' } }),
      'started',
    ],
    ['waiting_approval', pipeline(), 'waiting'],
    ['success', pipeline({ status: 'success' }), 'succeeded'],
    ['failed', failed, 'failed'],
    ['failed', rolledBack, 'rolled_back'],
    ['canceled', pipeline({ status: 'canceled' }), 'canceled'],
    ['queued', pipeline(), undefined],
    ['skipped', pipeline(), undefined],
  ])('%s → %s', (status, record, expected) => {
    expect(noticeKindFor(transition(status), record)).toBe(expected);
  });

  it.each([
    ['deploy', 'running', pipeline(), 'deploying'],
    // After an approval the approved message already says it deploys.
    [
      'deploy',
      'running',
      pipeline({ approval: { required: true, approvedBy: 'wang', approvedAt: '2025-03-14T02:04:00.000Z' } }),
      undefined,
    ],
    ['test', 'running', pipeline(), undefined],
    ['deploy', 'success', pipeline(), undefined],
  ] as const)('stage %s %s → %s', (stage, status, record, expected) => {
    const t = { id: '1-0', kind: 'stage', pipelineId: 'p41', stage, status, at } as Transition;
    expect(noticeKindFor(t, record)).toBe(expected);
  });

  it('says nothing about other stage steps', () => {
    const t = {
      id: '1-0',
      kind: 'stage',
      pipelineId: 'p41',
      stage: 'test',
      status: 'failed',
      at,
    } as Transition;
    expect(noticeKindFor(t, failed)).toBeUndefined();
  });
});

describe('renderNotice', () => {
  const cases: Array<[string, Notice, string[], string[]]> = [
    [
      'started',
      noticeOf('running', pipeline()),
      [
        '**🚦 开始** shop/order-service → <font color="comment">test</font>',
        '> 李伟（li.wei） 合并了 !42 Fix order total（feature/total → test）',
        '> 提交：36dd036d 修复订单金额计算',
        `[查看流水线](${url})`,
      ],
      [
        '**🚦 Started** shop/order-service',
        '> 李伟 (li.wei) merged !42 Fix order total (feature/total → test)',
        '> Commit: 36dd036d 修复订单金额计算',
        `[Open pipeline](${url})`,
      ],
    ],
    [
      'waiting for approval',
      noticeOf(
        'waiting_approval',
        pipeline({ environment: 'prod', approval: { required: true, deadline: '2025-03-15T02:05:00.000Z' } }),
      ),
      ['**⏸️ 等待审批**', '> 部署到 prod 需要审批，截止 2025-03-15 02:05 UTC', `[去审批](${url})`],
      [
        '**⏸️ Waiting for approval**',
        '> Deploying to prod needs approval by 2025-03-15 02:05 UTC',
        `[Review and approve](${url})`,
      ],
    ],
    [
      'succeeded with duration and image',
      noticeOf('success', deployed, { imageTag: '36dd036d' }),
      ['**✅ 部署成功**', '<font color="info">test</font>', '> 耗时：2分3秒 · 镜像：36dd036d'],
      ['**✅ Deployed**', '> Took: 2m 3s · Image: 36dd036d'],
    ],
    [
      'succeeded without a deploy (the deploy stage off): not "deployed"',
      noticeOf(
        'success',
        pipeline(
          { status: 'success', finishedAt: '2025-03-14T02:02:04.000Z' },
          { test: { status: 'success' }, build: { status: 'success' }, deploy: { status: 'skipped' } },
        ),
        { imageTag: '36dd036d' },
      ),
      ['**✅ 通过（未部署）**', '> 耗时：2分3秒 · 镜像：36dd036d'],
      ['**✅ Passed, not deployed**', '> Took: 2m 3s · Image: 36dd036d'],
    ],
    [
      'failed with the log tail and the merger mentioned',
      noticeOf('failed', failed, { logTail: ['npm ERR! test failed', '  1 failing'], mention: 'liwei' }),
      [
        '**❌ 部署失败**',
        '<font color="warning">test</font>',
        '> 失败阶段：test · 耗时：1分2秒',
        '> 原因：exit code 1',
        '日志最后 2 行：\n> npm ERR! test failed\n>   1 failing',
        `[查看日志](${url}#test)\n<@liwei>`,
      ],
      [
        '**❌ Failed**',
        '> Failed stage: test · Took: 1m 2s',
        '> Reason: exit code 1',
        'Last 2 log lines:',
        `[Open log](${url}#test)\n<@liwei>`,
      ],
    ],
    [
      'rolled back',
      noticeOf('failed', rolledBack, { mention: 'liwei' }),
      ['**↩️ 部署失败，已回滚**', '> 已回滚到：registry.vpc/shop/order:3f2a1c0', '<@liwei>'],
      ['**↩️ Failed and rolled back**', '> Rolled back to: registry.vpc/shop/order:3f2a1c0'],
    ],
    [
      'canceled',
      noticeOf(
        'canceled',
        pipeline({ status: 'canceled', reason: 'canceled by alice', finishedAt: '2025-03-14T02:00:13.000Z' }),
      ),
      ['**⏹️ 已取消**', '> 由 alice 取消 · 耗时：12秒'],
      ['**⏹️ Canceled**', '> Canceled by alice · Took: 12s'],
    ],
  ];

  it.each(cases)('%s (zh and en)', (_name, notice, zh, en) => {
    const zhText = renderNotice(notice, 'zh');
    const enText = renderNotice(notice, 'en');
    for (const part of zh) expect(zhText).toContain(part);
    for (const part of en) expect(enText).toContain(part);
  });

  it('says who pushed when there is no merge request', () => {
    const notice = noticeOf('running', pipeline({ trigger: 'push', mergeRequest: undefined }));
    expect(renderNotice(notice, 'zh')).toContain('> 李伟（li.wei） 推送到 test');
    expect(renderNotice(notice, 'en')).toContain('> 李伟 (li.wei) pushed to test');
  });

  it('fits 4096 bytes with a huge log, keeping the header, the last lines, the link and the mention', () => {
    const logTail = Array.from({ length: 100 }, (_, i) => `第 ${i} 行：${'错误'.repeat(60)}`);
    const text = renderNotice(noticeOf('failed', failed, { logTail, mention: 'liwei' }), 'zh');
    expect(utf8Bytes(text)).toBeLessThanOrEqual(4096);
    expect(text.startsWith('**❌ 部署失败**')).toBe(true);
    expect(text).toContain('第 99 行');
    expect(text).not.toContain('第 0 行');
    expect(text.endsWith(`[查看日志](${url}#test)\n<@liwei>`)).toBe(true);
  });

  it('shows the first error above the last lines, within 4096 bytes', () => {
    const logTail = Array.from({ length: 100 }, (_, i) => `第 ${i} 行：${'输出'.repeat(60)}`);
    const firstError = "src/order.ts(12,5): error TS2322: Type 'string' is not assignable to type 'number'.";
    const text = renderNotice(noticeOf('failed', failed, { logTail, firstError, mention: 'liwei' }), 'en');
    expect(utf8Bytes(text)).toBeLessThanOrEqual(4096);
    const lines = text.split('\n');
    const at = lines.indexOf('First error:');
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toContain('error TS2322');
    expect(lines.findIndex((l) => l.startsWith('Last '))).toBeGreaterThan(at);
    expect(text).toContain('第 99 行');
  });

  it('makes hostile user text inert: no mentions, links, tags or bold of its own', () => {
    const hostile = '<@all> @all [x](http://evil.example) <font color="warning">**hi**</font>\n# h\n> q `c`';
    const record = pipeline(
      {
        commitTitle: hostile,
        ref: 'test<@all>',
        user: { username: '<@all>', name: '**boss**' },
        mergeRequest: { iid: 1, title: hostile, sourceBranch: '](http://evil.example)', url: '' },
        project: { id: 1, path: 'g/[p](http://evil)', webUrl: '', cloneUrl: '' },
        environment: '<font>',
      },
      { test: { status: 'failed', reason: hostile } },
    );
    for (const kind of ['running', 'failed'] as const) {
      const notice = noticeOf(kind, { ...record, status: kind }, { logTail: [hostile], mention: 'liwei' });
      for (const language of ['zh', 'en'] as const) {
        const text = renderNotice(notice, language);
        expect(text.match(/<@[^>]*>/g) ?? []).toEqual(kind === 'failed' ? ['<@liwei>'] : []);
        expect(text).not.toContain('@all');
        expect(text).not.toMatch(/https?:\/\/evil/);
        expect([...text.matchAll(/\]\(([^)]*)\)/g)].map((m) => m[1])).toEqual([
          kind === 'failed' ? `${url}#test` : url,
        ]);
        expect(text.match(/<font/g)?.length).toBe(1);
        expect(text.match(/\*\*/g)?.length).toBe(2);
        expect(text.split('\n').filter((l) => l.startsWith('#'))).toEqual([]);
      }
    }
  });
});

describe('renderDigest', () => {
  const many = Array.from({ length: 60 }, (_, i) =>
    noticeOf(
      i % 2 === 0 ? 'running' : 'success',
      pipeline({
        id: `p${i}`,
        status: i % 2 === 0 ? 'running' : 'success',
        finishedAt: '2025-03-14T02:02:04.000Z',
      }),
      { url: `https://ferry.example.com/pipelines/p${i}` },
    ),
  );

  it('puts as many notices as fit in 4096 bytes, oldest first, and says how many', () => {
    for (const language of ['zh', 'en'] as const) {
      const { content, count } = renderDigest(many, language);
      expect(utf8Bytes(content)).toBeLessThanOrEqual(4096);
      expect(count).toBeGreaterThan(10);
      expect(count).toBeLessThan(60);
      expect(content).toContain('pipelines/p0)');
      expect(content).toContain(`pipelines/p${count - 1})`);
      expect(content).not.toContain(`pipelines/p${count})`);
      expect(content.split('\n')[0]).toBe(
        language === 'zh' ? `**Ferry：${count} 条流水线动态**` : `**Ferry: ${count} pipeline updates**`,
      );
    }
  });

  it('mentions the merger on a failure line', () => {
    const { content } = renderDigest(
      [noticeOf('failed', failed, { mention: 'liwei' }), many[0] as Notice],
      'en',
    );
    expect(content).toContain(
      '❌ Failed [shop/order-service → test](https://ferry.example.com/pipelines/p41) · test: exit code 1 <@liwei>',
    );
  });
});

describe('renderAlertText', () => {
  const p = {
    id: 'p41',
    projectId: 4217,
    project: 'shop/order-service',
    environment: 'prod',
    ref: 'master',
    sha: 'abc',
    url,
  };
  it.each([
    [
      {
        kind: 'runner_pending',
        at,
        subject: 's',
        suppressed: 2,
        pipeline: p,
        stage: 'build',
        pendingMs: 360_000,
        reason: '0/3 nodes are available: @all',
        runner: 'ferry-p41-build',
      },
      [
        '【Ferry 告警】build 阶段的 runner 已 Pending 6分：shop/order-service → prod',
        '原因：0/3 nodes are available: ＠all',
        `流水线：${url}`,
        '（此前还有 2 条同类告警未发送）',
      ],
      [
        '[Ferry alert] The build runner has been pending for 6m: shop/order-service → prod',
        '(2 more like this were held back since the last one)',
      ],
    ],
    [
      {
        kind: 'reporter_failing',
        at,
        subject: 'gitlab',
        suppressed: 0,
        reporter: 'gitlab',
        failingMs: 720_000,
        lastError: 'GitLab: 503 an HTML error page',
      },
      ['【Ferry 告警】gitlab 上报已连续失败 12分', '最后的错误：GitLab: 503 an HTML error page'],
      ['[Ferry alert] Reporting to gitlab has been failing for 12m', 'go out in order once it recovers'],
    ],
    [
      {
        kind: 'queue_wait',
        at,
        subject: 'prod',
        suppressed: 0,
        pipeline: p,
        waitedMs: 200_000,
        sloMs: 120_000,
      },
      ['流水线排队 3分20秒 才开始（目标 2分 内）'],
      ['A pipeline waited 3m 20s to start (objective: 2m)'],
    ],
  ] as const)('%s', (alert, zh, en) => {
    const zhText = renderAlertText(alert as never, 'zh');
    for (const part of zh) expect(zhText).toContain(part);
    const enText = renderAlertText(alert as never, 'en');
    for (const part of en) expect(enText).toContain(part);
  });

  it('fits 2048 bytes', () => {
    const alert = {
      kind: 'reporter_failing',
      at,
      subject: 'x',
      suppressed: 0,
      reporter: 'wecom',
      failingMs: 1,
      lastError: '错'.repeat(3000),
    } as const;
    expect(utf8Bytes(renderAlertText(alert, 'zh'))).toBeLessThanOrEqual(2048);
  });
});

describe('failed tests in the failure message', () => {
  const report = (failures: { name: string; message: string }[]) => ({
    passed: 40,
    failed: failures.length,
    errors: 0,
    skipped: 1,
    failures,
  });
  const withJobs = pipeline(
    { status: 'failed', finishedAt: '2025-03-14T02:01:03.000Z' },
    {
      test: {
        status: 'failed',
        reason: 'job unit failed: exit code 1; 2 of 43 tests failed, 1 skipped',
        jobsForm: 'jobs',
        jobs: [
          { name: 'lint', status: 'canceled' },
          {
            name: 'unit',
            status: 'failed',
            report: report([
              {
                name: 'cart › **totals** [x](http://evil)',
                message: 'expected <font>10.7</font> to be 10.8',
              },
              { name: 'cart › coupons', message: 'timeout' },
            ]),
          },
        ],
      },
    },
  );

  it('names the failed tests with their job and messages, escaped as markdown', () => {
    const notice = noticeOf('failed', withJobs);
    expect(notice.tests).toEqual({
      counts: '2/43',
      failures: [
        {
          job: 'unit',
          name: 'cart › **totals** [x](http://evil)',
          message: 'expected <font>10.7</font> to be 10.8',
        },
        { job: 'unit', name: 'cart › coupons', message: 'timeout' },
      ],
    });
    const text = renderNotice(notice, 'en');
    expect(text).toContain('Failed tests: 2/43');
    expect(text).toContain('✗ [unit] cart › coupons: timeout');
    // Markup in test names and messages is shown as text, never as links, bold or colour.
    expect(text).not.toContain('[x](http://evil)');
    expect(text).not.toContain('<font>10.7');
    expect(text).not.toContain('**totals**');
  });

  it('leaves the job out for the simple form and says nothing without reports', () => {
    const single = pipeline(
      { status: 'failed' },
      {
        test: {
          status: 'failed',
          jobsForm: 'single',
          jobs: [{ name: 'test', status: 'failed', report: report([{ name: 'a', message: 'b' }]) }],
        },
      },
    );
    expect(noticeOf('failed', single).tests?.failures).toEqual([{ name: 'a', message: 'b' }]);
    expect(noticeOf('failed', failed).tests).toBeUndefined();
  });
});
