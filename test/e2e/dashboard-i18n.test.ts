import { mkdirSync } from 'node:fs';
import type { PipelineRecord } from '@ferry/shared';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaticEnvironmentMap } from '../../packages/server/src/pipeline/environment-map.js';
import { apiTokens, pushPipeline, rule, startApiFerry, until } from '../api/api-support.js';
import { eventually, type TestFerry } from '../support/ferry.js';
import { chromiumArgs, ensureWebBuild, HeldRunner } from './dashboard-support.js';

/**
 * The dashboard in Chinese and English in a real browser (Debian's chromium with fonts-noto-cjk):
 * the language follows the browser's (navigator.languages, set by the context's locale), the
 * switch changes it and is remembered (localStorage). Every configured environment shows, also
 * before its first pipeline; a running canary has Promote and Abort; durations (`2 分 13 秒`) and the
 * deployments page follow the language too. Screenshots go to test-results/screenshots/
 * (dashboard-zh-*.png, dashboard-en-*.png).
 */
const shots = 'test-results/screenshots';

describe('dashboard languages, environments before their first pipeline, canary buttons', () => {
  const runner = new HeldRunner();
  let t: TestFerry;
  let browser: Browser;
  let canaryId: string;
  let doneId: string;
  let timedId: string;

  beforeAll(async () => {
    ensureWebBuild();
    mkdirSync(shots, { recursive: true });
    t = await startApiFerry({
      runner,
      environments: new StaticEnvironmentMap([
        rule('test', 'test'),
        rule('staging', 'staging'),
        rule('prod', 'master', { approval: true, priority: 1 }),
      ]),
    });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
    // test has a deploy; staging and prod have never had a pipeline.
    doneId = await pushPipeline(t, { projectId: 8801, path: 'shop/order-service', branch: 'test' });
    await until(t, doneId, ['success']);
    // A pipeline with durations in minutes and hours (its times set in the past): the test stage
    // took 2 min 13 s, the pipeline 1 h 02 min 03 s.
    timedId = await pushPipeline(t, { projectId: 8803, path: 'shop/billing', branch: 'test' });
    await until(t, timedId, ['success']);
    const timed = (await t.ferry.ctx.store.get(timedId)) as PipelineRecord;
    const start = Date.now() - 3 * 3_600_000;
    const at = (seconds: number) => new Date(start + seconds * 1000).toISOString();
    await t.ferry.ctx.store.patch(timedId, { queuedAt: at(-4), startedAt: at(0), finishedAt: at(3723) });
    const stage = timed.stages.find((s) => s.name === 'test');
    if (stage === undefined) throw new Error('the pipeline has no test stage');
    await t.ferry.ctx.store.putStage(timedId, { ...stage, startedAt: at(0), finishedAt: at(133) });
    // A pipeline whose deploy runs with a canary (held by the runner): its objects include
    // `<service>-canary` beside `<service>`, as change pod renders them for a canary environment.
    runner.plan = (req) => (req.pipeline.project.id === 8802 ? { hold: 'deploy' } : {});
    canaryId = await pushPipeline(t, { projectId: 8802, path: 'shop/payment-gateway', branch: 'test' });
    await eventually(async () => runner.isHeld(canaryId, 'deploy') || undefined);
    await t.ferry.ctx.store.patch(canaryId, {
      manifests: [
        { kind: 'Deployment', name: 'payment-gateway', namespace: 'shop-test', yaml: 'kind: Deployment\n' },
        {
          kind: 'Deployment',
          name: 'payment-gateway-canary',
          namespace: 'shop-test',
          yaml: 'kind: Deployment\n',
        },
      ],
    });
  });
  afterAll(async () => {
    runner.releaseAll();
    await browser?.close();
    await t?.close();
  });

  async function open(
    path: string,
    locale: string,
  ): Promise<{ page: Page; problems: string[]; close(): Promise<void> }> {
    const context = await browser.newContext({ locale, viewport: { width: 1280, height: 800 } });
    await context.addInitScript({
      content: `localStorage.setItem('ferry.token:/', ${JSON.stringify(apiTokens.deployer.value)})`,
    });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(err.message));
    await page.goto(`${t.url}${path}`);
    return { page, problems, close: () => context.close() };
  }

  it('speaks Chinese to a Chinese browser, shows every configured environment, and switches to English for good', async () => {
    const { page, problems, close } = await open('/environments', 'zh-CN');
    await page.locator('h1', { hasText: '环境' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    expect(await page.locator('.nav-link').allTextContents()).toEqual(['流水线', '环境', '部署记录']);
    expect(
      await page.locator('.env-section').evaluateAll((s) => s.map((e) => e.getAttribute('data-environment'))),
    ).toEqual(['test', 'staging', 'prod']);
    const prod = page.locator('.env-section[data-environment="prod"]');
    expect(await prod.getByTestId('environment-empty').textContent()).toBe(
      '第一次合并到 master 后会部署到这里。',
    );
    expect(await prod.textContent()).toContain('需要审批');
    await page.locator('.env-section[data-environment="test"] .env-card').first().waitFor();
    await page.screenshot({ path: `${shots}/dashboard-zh-environments.png` });

    await page.getByTestId('language-switch').click();
    await page.locator('h1', { hasText: 'Environments' }).waitFor();
    expect(await prod.getByTestId('environment-empty').textContent()).toBe(
      'The first merge into master deploys here.',
    );
    await page.reload();
    await page.locator('h1', { hasText: 'Environments' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.screenshot({ path: `${shots}/dashboard-en-environments.png` });
    expect(problems).toEqual([]);
    await close();
  });

  it('shows the pipeline page in Chinese: stages, log toolbar, panels and relative times; the switch turns it English', async () => {
    const { page, problems, close } = await open(`/pipelines/${doneId}`, 'zh-CN');
    const toolbar = page.locator('.log-tools button');
    await toolbar.first().waitFor();
    expect(await toolbar.allTextContents()).toEqual(['时间戳', '跟随', '第一个错误', '下载']);
    expect(await page.locator('.steps .step-name').allTextContents()).toEqual([
      '测试',
      '构建并推送',
      '变更 Pod',
    ]);
    await page.locator('.step-btn[data-stage="test"]').click();
    await page.locator('.log-title strong', { hasText: '测试' }).waitFor();
    expect(await page.locator('.log-panel').getAttribute('aria-label')).toBe('测试日志');
    expect(await page.locator('.pipeline-side h3').allTextContents()).toEqual(['审批', '详情']);
    expect(await page.getByTestId('approval').textContent()).toContain('部署到 test 不需要审批。');
    const details = page.locator('.pipeline-side dl.kv dt');
    expect(await details.allTextContents()).toEqual(
      expect.arrayContaining(['流水线', '排队于', '开始于', '结束于']),
    );
    // Relative times in Chinese: "刚刚" or "N 秒前" / "N 分钟前", never the English forms.
    const times = await page.locator('.pipeline-page time').allTextContents();
    expect(times.length).toBeGreaterThan(0);
    for (const text of times) expect(text).toMatch(/^(刚刚|\d+ (秒|分钟)前)$/);
    expect(await page.locator('.pl-header .meta').textContent()).toMatch(/排队于/);
    await page.screenshot({ path: `${shots}/dashboard-zh-pipeline.png`, fullPage: true });

    await page.getByTestId('language-switch').click();
    await page.locator('.log-tools button', { hasText: 'Timestamps' }).waitFor();
    expect(await toolbar.allTextContents()).toEqual(['Timestamps', 'Follow', 'First error', 'Download']);
    expect(await page.locator('.steps .step-name').allTextContents()).toEqual([
      'Test',
      'Build & push',
      'Change pod',
    ]);
    expect(await page.locator('.pipeline-side h3').allTextContents()).toEqual(['Approval', 'Details']);
    for (const text of await page.locator('.pipeline-page time').allTextContents())
      expect(text).toMatch(/^(just now|\d+ (s|min) ago)$/);
    await page.screenshot({ path: `${shots}/dashboard-en-pipeline.png`, fullPage: true });
    expect(problems).toEqual([]);
    await close();
  });

  it('shows the pipeline list in Chinese: headings, filters and relative times; an unknown page too', async () => {
    const { page, problems, close } = await open('/pipelines', 'zh-CN');
    await page.locator('h1', { hasText: '流水线' }).waitFor();
    await page.locator('.pl-list li').first().waitFor();
    expect(await page.locator('.pl-head span').allTextContents()).toEqual([
      '状态',
      '项目 · 环境',
      '提交',
      '提交人',
      '阶段',
      '时间',
    ]);
    expect(await page.locator('.filters .field > span').allTextContents()).toEqual([
      '项目',
      '环境',
      '状态',
      '分支',
    ]);
    expect(await page.locator('.filters select option').first().textContent()).toBe('全部状态');
    expect(new Set(await page.locator('.pl-list .trigger').allTextContents())).toEqual(new Set(['推送']));
    for (const text of await page.locator('.pl-list .queued time').allTextContents())
      expect(text).toMatch(/^(刚刚|\d+ (秒|分钟|小时)前)$/);
    expect(await page.locator(`.pl-row[data-pipeline="${timedId}"] .duration`).textContent()).toBe(
      '1 小时 02 分',
    );
    for (const text of await page.locator('.pl-list .duration').allTextContents())
      expect(text).toMatch(/^(\d+ 秒|\d+ 分 \d\d 秒|\d+ 小时 \d\d 分)$/);
    await page.screenshot({ path: `${shots}/dashboard-zh-pipelines.png` });
    await page.goto(`${t.url}/pipelines/doesnotexist0`);
    await page.locator('h1', { hasText: '这里什么都没有' }).waitFor();
    expect(problems).toEqual([]);
    await close();
  });

  it('shows durations in Chinese (2 分 13 秒, 1 小时 02 分); the switch turns them English (2m 13s, 1h 02m)', async () => {
    const { page, problems, close } = await open(`/pipelines/${timedId}`, 'zh-CN');
    const testStep = page.locator('.step-btn[data-stage="test"] .step-meta');
    await testStep.waitFor();
    expect(await testStep.textContent()).toBe('成功 · 2 分 13 秒');
    expect(await page.locator('.pl-header .meta').textContent()).toContain('耗时 1 小时 02 分');
    await page.screenshot({ path: `${shots}/dashboard-zh-durations.png` });

    await page.getByTestId('language-switch').click();
    await page.locator('.step-btn[data-stage="test"] .step-meta', { hasText: 'Succeeded' }).waitFor();
    expect(await testStep.textContent()).toBe('Succeeded · 2m 13s');
    expect(await page.locator('.pl-header .meta').textContent()).toContain('took 1h 02m');
    await page.screenshot({ path: `${shots}/dashboard-en-durations.png` });
    expect(problems).toEqual([]);
    await close();
  });

  it('shows the deployments page in Chinese (headings, kinds, outcomes, dates); the switch turns it English', async () => {
    const { page, problems, close } = await open('/deployments', 'zh-CN');
    await page.locator('h1', { hasText: '部署记录' }).waitFor();
    const row = page.locator(`.deployments-table tr[data-pipeline="${doneId}"]`);
    await row.waitFor();
    expect(await page.locator('.deployments-table th').allTextContents()).toEqual([
      '时间',
      '环境',
      '项目',
      '类型',
      '操作人',
      '提交',
      '镜像',
      '结果',
    ]);
    const cells = () => row.locator('td').allTextContents();
    const zhCells = await cells();
    // zh-CN dates as Chromium writes them: 2026/12/6 09:31:40.
    expect(zhCells[0]).toMatch(/^\d{4}\/\d{1,2}\/\d{1,2} \d{1,2}:\d{2}:\d{2}$/);
    expect(zhCells.slice(1, 4)).toEqual(['test', 'shop/order-service', '部署']);
    expect(zhCells[7]).toBe('成功');
    const canary = page.locator(`.deployments-table tr[data-pipeline="${canaryId}"] td[data-outcome]`);
    expect(await canary.textContent()).toBe('运行中');
    expect(await page.locator('.nav-link.active').textContent()).toBe('部署记录');
    await page.screenshot({ path: `${shots}/dashboard-zh-deployments.png` });

    await page.getByTestId('language-switch').click();
    await page.locator('h1', { hasText: 'Deployments' }).waitFor();
    const enCells = await cells();
    expect(enCells[0]).toMatch(/^\d{1,2}\/\d{1,2}\/\d{4},\s\d{1,2}:\d{2}:\d{2}\s(AM|PM)$/);
    expect(enCells.slice(1, 4)).toEqual(['test', 'shop/order-service', 'deploy']);
    expect(enCells[7]).toBe('Succeeded');
    expect(await page.locator('.deployments-table th').first().textContent()).toBe('When');
    await page.screenshot({ path: `${shots}/dashboard-en-deployments.png` });
    expect(problems).toEqual([]);
    await close();
  });

  it('speaks English to an English browser', async () => {
    const { page, close } = await open('/environments', 'en-US');
    await page.locator('h1', { hasText: 'Environments' }).waitFor();
    expect(await page.getByTestId('language-switch').textContent()).toBe('中文');
    await close();
  });

  it('offers canary Promote and Abort on a running canary, and sends the decision to the API', async () => {
    const { page, problems, close } = await open(`/pipelines/${canaryId}`, 'zh-CN');
    const promote = page.locator('[data-action="canary-promote"]');
    await promote.waitFor();
    expect(await promote.textContent()).toBe('推进灰度');
    expect(await page.locator('[data-action="canary-abort"]').textContent()).toBe('中止灰度');
    await page.screenshot({ path: `${shots}/dashboard-zh-canary.png` });
    const answer = page.waitForResponse((r) =>
      r.url().endsWith(`/api/v1/pipelines/${canaryId}/canary/promote`),
    );
    await promote.click();
    await page.locator('[data-confirm="canary-promote"]').click();
    // This Ferry has no cluster: the API answers with its error, which the page shows.
    const res = await answer;
    expect(res.request().method()).toBe('POST');
    expect(res.status()).toBeGreaterThanOrEqual(400);
    await page.locator('.actions .alert').waitFor();
    expect(problems).toEqual([]);
    await close();
    const stored = (await t.ferry.ctx.store.get(canaryId)) as PipelineRecord;
    expect(stored.status).toBe('running');
  });
});
