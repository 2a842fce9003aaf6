import { mkdirSync } from 'node:fs';
import { randomSha } from '@ferry/doubles/gitlab';
import type { TestJobRecord } from '@ferry/shared';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  StageOutcome,
  StageRunner,
  StageRunRequest,
} from '../../packages/server/src/stages/stage-runner.js';
import { pushPipeline, startApiFerry, until } from '../api/api-support.js';
import { eventually, type TestFerry } from '../support/ferry.js';
import { chromiumArgs, ensureWebBuild, waitInPage } from './dashboard-support.js';

/**
 * The test stage's jobs on the dashboard in a real browser (Debian's chromium through
 * playwright-core): the job list with each job's status, counts and coverage, live while the stage
 * runs; each job's own log; the selected job's JUnit failures and coverage; `#test:<job>` links.
 * The stage runner reports jobs and writes their logs through Ferry's real store and log store, as
 * the executor stage runner does (test/e2e/test-stage.*.test.ts runs the real one end to end).
 */

const shots = 'test-results/screenshots';
const hostileName = '<img src=x onerror="window.__pwned = 1">';

/** A test stage of two named jobs (`unit` held until released, then failing) or the simple form. */
class JobsRunner implements StageRunner {
  readonly #held = new Map<string, () => void>();
  form = new Map<string, 'jobs' | 'single'>();
  ferry!: TestFerry;

  async run(req: StageRunRequest): Promise<StageOutcome> {
    await req.onStarted(`jobs:${req.pipeline.id}:${req.stage}`);
    if (req.stage !== 'test') return { status: 'success' };
    const onJob = req.onJob;
    if (onJob === undefined) throw new Error('the orchestrator gave no onJob');
    const logs = this.ferry.ferry.ctx.logs;
    const id = req.pipeline.id;
    const startedAt = new Date().toISOString();
    if (this.form.get(req.pipeline.sha) === 'single') {
      const log = logs.writer(id, 'test');
      log.write('stdout', 'single: 3 tests\nnot ok 2 - rounds the total\n');
      await log.close();
      await onJob(
        {
          name: 'test',
          status: 'failed',
          startedAt,
          finishedAt: new Date().toISOString(),
          reason: 'exit code 1',
          report: {
            passed: 2,
            failed: 1,
            errors: 0,
            skipped: 0,
            failures: [{ name: 'cart › rounds the total', message: 'expected 3.35 to be 3.4' }],
          },
        },
        'single',
      );
      return { status: 'failed', reason: 'exit code 1' };
    }

    await onJob({ name: 'unit', status: 'running', startedAt }, 'jobs');
    await onJob({ name: 'lint', status: 'running', startedAt }, 'jobs');
    const unit = logs.writer(id, 'test:unit');
    unit.system('ferry: service redis ready on 127.0.0.1:6379');
    unit.write('stdout', 'unit: connecting to redis at 127.0.0.1:6379\n');
    const lint = logs.writer(id, 'test:lint');
    lint.write('stdout', 'lint: checked 12 files\nlint passed\n');
    await lint.close();
    await onJob({ name: 'lint', status: 'success', startedAt, finishedAt: new Date().toISOString() }, 'jobs');

    await new Promise<void>((resolve) => this.#held.set(id, resolve));
    unit.write('stdout', '✔ redis answers PING\n');
    unit.write('stderr', '✖ totals the cart with tax\n  3.3 !== 3.4\n');
    unit.write('stdout', 'ℹ all files         |  93.94 |   100.00 |   80.00 |\n');
    await unit.close();
    const failed: TestJobRecord = {
      name: 'unit',
      status: 'failed',
      startedAt,
      finishedAt: new Date().toISOString(),
      reason: 'exit code 1; 2 of 4 tests failed',
      coverage: 93.94,
      report: {
        passed: 1,
        failed: 2,
        errors: 0,
        skipped: 1,
        failures: [
          {
            name: 'test › totals the cart with tax',
            message: 'Expected values to be strictly equal:\n3.3 !== 3.4',
          },
          { name: hostileName, message: '<script>window.__pwned = 1</script>' },
        ],
        notes: ['test-results/huge.xml: larger than 2 MiB, not read'],
      },
    };
    await onJob(failed, 'jobs');
    return { status: 'failed', reason: 'job unit failed: exit code 1; 2 of 4 tests failed' };
  }

  isHeld(id: string): boolean {
    return this.#held.has(id);
  }

  release(id: string): void {
    this.#held.get(id)?.();
    this.#held.delete(id);
  }

  releaseAll(): void {
    for (const release of this.#held.values()) release();
    this.#held.clear();
  }

  async destroy(): Promise<void> {}
}

describe('dashboard: the test stage per job, with its report', () => {
  const runner = new JobsRunner();
  let t: TestFerry;
  let browser: Browser;
  let project = 9300;

  async function open(path: string) {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(err.message));
    await page.goto(`${t.url}${path}`);
    return { page, problems, close: () => context.close() };
  }

  const logText = async (page: Page) => (await page.locator('.log-box').textContent()) ?? '';
  const pressed = (page: Page, job: string) =>
    page.locator(`.job-btn[data-job="${job}"]`).getAttribute('aria-pressed');

  beforeAll(async () => {
    ensureWebBuild();
    mkdirSync(shots, { recursive: true });
    t = await startApiFerry({ runner });
    runner.ferry = t;
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
  });

  afterAll(async () => {
    runner.releaseAll();
    await browser?.close();
    await t?.close();
  });

  it('lists the jobs live, shows each job its own log, and the failed tests and coverage of the selected one', async () => {
    const sha = randomSha();
    runner.form.set(sha, 'jobs');
    const id = await pushPipeline(t, { projectId: project++, path: 'shop/cart', sha });
    await eventually(async () => runner.isHeld(id) || undefined);
    const { page, problems, close } = await open(`/pipelines/${id}`);

    // While unit runs: lint has passed, unit runs, and (nothing failed yet) unit's log is shown live.
    await page.locator('.job-btn[data-job="lint"].st-success').waitFor();
    await page.locator('.job-btn[data-job="unit"].st-running').waitFor();
    expect(await pressed(page, 'unit')).toBe('true');
    await page.locator('[data-log="test:unit"] .ln-row', { hasText: 'connecting to redis' }).waitFor();
    expect(await logText(page)).not.toContain('lint passed');
    expect(await page.locator('[data-report]').count()).toBe(0);

    // unit fails: the page follows without a reload, with the report and the rest of unit's log.
    runner.release(id);
    await page.locator('.job-btn[data-job="unit"].st-failed').waitFor();
    const unitButton = (await page.locator('.job-btn[data-job="unit"]').textContent()) ?? '';
    expect(unitButton).toContain('1 passed, 2 failed, 1 skipped');
    expect(unitButton).toContain('coverage 93.94%');
    const report = page.locator('[data-report="unit"]');
    await report.waitFor();
    expect(await report.locator('[data-count="passed"]').textContent()).toBe('1 passed');
    expect(await report.locator('[data-count="failed"]').textContent()).toBe('2 failed');
    expect(await report.locator('[data-count="skipped"]').textContent()).toBe('1 skipped');
    expect(await report.locator('[data-count="coverage"]').textContent()).toBe('coverage 93.94%');
    const names = await report.locator('.failure-name').allTextContents();
    expect(names).toEqual(['test › totals the cart with tax', hostileName]);
    expect(await report.locator('.failure-message').first().textContent()).toBe(
      'Expected values to be strictly equal:\n3.3 !== 3.4',
    );
    expect(await report.textContent()).toContain('test-results/huge.xml: larger than 2 MiB, not read');
    // Names and messages are text, never markup.
    expect(await report.locator('img, script').count()).toBe(0);
    expect(await page.evaluate('window.__pwned === undefined')).toBe(true);
    await page.locator('[data-log="test:unit"] .ln-row', { hasText: 'totals the cart with tax' }).waitFor();
    await page.screenshot({ path: `${shots}/test-jobs-unit.png` });

    // Choosing lint shows lint's log and no report (lint has none), and links it as #test:lint.
    await page.locator('.job-btn[data-job="lint"]').click();
    await page.locator('[data-log="test:lint"] .ln-row', { hasText: 'lint passed' }).waitFor();
    expect(await page.evaluate('location.hash')).toBe('#test:lint');
    expect(await logText(page)).not.toContain('connecting to redis');
    expect(await page.locator('[data-report]').count()).toBe(0);
    expect(await page.evaluate('location.pathname')).toBe(`/pipelines/${id}`);

    // Another stage has no jobs; back on the test stage, the failed job is shown again.
    await page.locator('.step-btn[data-stage="build"]').click();
    await page.locator('.step-btn.selected[data-stage="build"]').waitFor();
    expect(await page.evaluate('location.pathname + location.hash')).toBe(`/pipelines/${id}#build`);
    expect(await page.locator('.jobs-panel').count()).toBe(0);
    await page.locator('.step-btn[data-stage="test"]').click();
    await page.locator('[data-report="unit"]').waitFor();
    expect(await pressed(page, 'unit')).toBe('true');
    expect(problems).toEqual([]);
    await close();

    // The link GitLab's ferry/test:lint status carries opens lint; without a fragment, the failed job.
    const linked = await open(`/pipelines/${id}#test:lint`);
    await linked.page.locator('[data-log="test:lint"] .ln-row', { hasText: 'lint passed' }).waitFor();
    expect(await pressed(linked.page, 'lint')).toBe('true');
    expect(linked.problems).toEqual([]);
    await linked.close();
    const plain = await open(`/pipelines/${id}`);
    await plain.page.locator('[data-report="unit"]').waitFor();
    expect(await pressed(plain.page, 'unit')).toBe('true');
    // An unknown job in the fragment falls back to the failed one.
    await plain.page.goto(`${t.url}/pipelines/${id}#test:nosuchjob`);
    await waitInPage(plain.page, `document.querySelector('[data-log="test:unit"]') !== null`);
    expect(plain.problems).toEqual([]);
    await plain.close();
  });

  it('shows the report of the simple form without a job list', async () => {
    const sha = randomSha();
    runner.form.set(sha, 'single');
    const id = await pushPipeline(t, { projectId: project++, path: 'shop/single', sha });
    await until(t, id, ['failed']);
    const { page, problems, close } = await open(`/pipelines/${id}`);
    const report = page.locator('[data-report="test"]');
    await report.waitFor();
    expect(await report.locator('h3').textContent()).toBe('Test report');
    expect(await report.locator('.failure-name').allTextContents()).toEqual(['cart › rounds the total']);
    expect(await page.locator('.jobs-panel').count()).toBe(0);
    // The simple form's log is the stage's own.
    await page.locator('[data-log="test"] .ln-row', { hasText: 'rounds the total' }).waitFor();
    expect(problems).toEqual([]);
    await close();
  });
});
