import { mkdirSync, readFileSync } from 'node:fs';
import type { PushHookPayload } from '@ferry/doubles/gitlab';
import { buildMergeRequestHook, buildPushHook, loadGitLabFixture, randomSha } from '@ferry/doubles/gitlab';
import type { PipelineRecord, StageName } from '@ferry/shared';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaticEnvironmentMap } from '../../packages/server/src/pipeline/environment-map.js';
import { apiTokens, rule, startApiFerry, until } from '../api/api-support.js';
import { eventually, type TestFerry, testWebhookSecret } from '../support/ferry.js';
import {
  chromiumArgs,
  ensureWebBuild,
  HeldRunner,
  type Plan,
  pageGotTransition,
  recordEventStreams,
  startPrefixProxy,
  waitInPage,
} from './dashboard-support.js';

/**
 * The dashboard in a real browser (Debian's chromium through playwright-core), served by Ferry
 * under `server.basePath: /ferry` behind a reverse proxy that adds the prefix `/ci`, so every
 * page, asset, API call and event stream goes through both. Screenshots of the main pages go to
 * test-results/screenshots/ (CI artifacts).
 */

const shots = 'test-results/screenshots';
const hostileBranch = 'test$(touch /tmp/x)';
const esc = '\u001b';

/** What a failing test and a failing push print (a line starting with ! goes to stderr). */
const failureLogs: Record<StageName, string[]> = {
  test: [
    `${esc}[1m> user-service@1.8.4 test${esc}[22m`,
    ` ${esc}[32m✓${esc}[39m src/accounts.test.ts (31 tests) 212ms`,
    `!${esc}[31m ✗ src/sessions.test.ts > renews a session inside the grace window${esc}[39m`,
    `!   ${esc}[31mError: could not serialize access due to concurrent update${esc}[39m`,
    ` ${esc}[1mTest Files${esc}[22m  ${esc}[31m1 failed${esc}[39m | ${esc}[32m11 passed${esc}[39m (12)`,
  ],
  build: [
    '#1 [internal] load build definition from Dockerfile',
    '#4 [build 1/5] FROM registry.internal:5000/base/node:20-alpine@sha256:0b1c…',
    '#9 [build 5/5] RUN npm run build',
    '#9 3.41 vite v7.3.8 building for production...',
    '#9 9.87 ✓ built in 6.2s',
    '#12 exporting to image',
    '#12 pushing registry.internal:5000/shop/payment-gateway:8c1d2e4f',
    `!${esc}[31mERROR: failed to push registry.internal:5000/shop/payment-gateway:8c1d2e4f: unauthorized: authentication required${esc}[0m`,
  ],
  deploy: [],
};

/** The text in an element. */
const textOf = async (locator: Locator) => (await locator.textContent()) ?? '';

/** How far the page is wider than the screen (0 when nothing scrolls sideways). */
const overflowScript = 'document.documentElement.scrollWidth - window.innerWidth';

interface Person {
  name: string;
  username: string;
}
const people: Person[] = [
  { name: 'Li Wei', username: 'li.wei' },
  { name: 'Zhang Min', username: 'zhang.min' },
  { name: 'Anna Schmidt', username: 'anna.schmidt' },
];

describe('dashboard in a browser', () => {
  const runner = new HeldRunner();
  const plans = new Map<string, Plan>();
  let t: TestFerry;
  let proxy: { url: string; close(): Promise<void> };
  let browser: Browser;
  let base: string;
  let projectIds = 7100;
  const projectIdOf = new Map<string, number>();

  /** Delivers a Push Hook (under the base path) and returns the pipeline it created. */
  async function sendPush(hook: PushHookPayload): Promise<string> {
    const res = await t.ferry.app.inject({
      method: 'POST',
      url: '/ferry/webhooks/gitlab',
      headers: { 'x-gitlab-token': testWebhookSecret, 'x-gitlab-event': 'Push Hook' },
      payload: hook as unknown as Record<string, unknown>,
    });
    expect(res.statusCode, res.body).toBe(201);
    return (res.json() as { pipelineId: string }).pipelineId;
  }

  /** Pushes a commit; `plan` decides how its stages go (keyed by sha, known before the pipeline exists). */
  async function push(
    path: string,
    branch: string,
    message: string,
    plan: Plan = {},
    who: Person = people[0]!,
  ): Promise<{ id: string; sha: string }> {
    const sha = randomSha();
    plans.set(sha, plan);
    if (!projectIdOf.has(path)) projectIdOf.set(path, projectIds++);
    const id = await sendPush(
      buildPushHook({
        branch,
        after: sha,
        commitMessage: message,
        user: who,
        project: { id: projectIdOf.get(path)!, pathWithNamespace: path },
      }),
    );
    return { id, sha };
  }

  const held = (id: string, stage: StageName) =>
    eventually(async () => runner.isHeld(id, stage) || undefined);
  const stored = (id: string) => t.ferry.ctx.store.get(id) as Promise<PipelineRecord>;

  async function open(
    path: string,
    options: { as?: 'viewer' | 'deployer'; phone?: boolean; recordEvents?: boolean } = {},
  ) {
    const context: BrowserContext = await browser.newContext(
      options.phone
        ? { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }
        : { viewport: { width: 1440, height: 900 } },
    );
    if (options.as !== undefined) {
      // What the sign-in dialog stores (the dialog itself is exercised in the cancel test).
      // (Page code as strings: the test program has no DOM types.)
      await context.addInitScript({
        content: `localStorage.setItem('ferry.token:/ci/ferry', ${JSON.stringify(apiTokens[options.as].value)})`,
      });
    }
    if (options.recordEvents) await context.addInitScript({ content: recordEventStreams });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(err.message));
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    await page.goto(`${base}${path}`);
    return { page, problems, close: () => context.close() };
  }

  async function seedLog(id: string, stage: StageName, lines: string[]) {
    const log = t.ferry.ctx.logs.writer(id, stage);
    for (const line of lines)
      log.write(line.startsWith('!') ? 'stderr' : 'stdout', `${line.replace(/^!/, '')}\n`);
    await log.close();
  }

  const shot = (page: Page, name: string) =>
    page.screenshot({ path: `${shots}/${name}.png`, fullPage: false });

  beforeAll(async () => {
    ensureWebBuild();
    mkdirSync(shots, { recursive: true });
    runner.plan = (req) => plans.get(req.pipeline.sha) ?? {};
    t = await startApiFerry({
      runner,
      environments: new StaticEnvironmentMap([
        rule('test', 'test'),
        rule('staging', 'staging'),
        rule('prod', 'master', { approval: true, priority: 1 }),
        rule('test', hostileBranch),
      ]),
      config: { server: { basePath: '/ferry', trustProxy: true }, limits: { logCapBytes: 65_536 } },
    });
    proxy = await startPrefixProxy(t.url, '/ci');
    base = `${proxy.url}/ferry`;
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });

    // A history that looks like a working week, so the pages have something to show.
    const history: Array<[string, string, string, Plan]> = [
      ['shop/order-service', 'staging', "Merge branch 'feature/refund-webhook' into 'staging'", {}],
      ['shop/payment-gateway', 'test', "Merge branch 'fix/idempotent-capture' into 'test'", {}],
      [
        'platform/user-service',
        'test',
        'Bump pg to 8.13 and retry on serialization failures',
        {
          fail: { stage: 'test', reason: 'exit code 1: 2 tests failed' },
        },
      ],
      ['web/storefront', 'staging', "Merge branch 'feature/checkout-redesign' into 'staging'", {}],
      [
        'shop/payment-gateway',
        'staging',
        "Merge branch 'fix/idempotent-capture' into 'staging'",
        {
          fail: { stage: 'build', reason: 'push to registry.internal:5000 refused: unauthorized' },
        },
      ],
    ];
    for (const [i, [path, branch, message, plan]] of history.entries()) {
      const { id } = await push(path, branch, message, plan, people[i % people.length]);
      await until(t, id, ['success', 'failed']);
      if (plan.fail !== undefined) await seedLog(id, plan.fail.stage, failureLogs[plan.fail.stage]);
    }
  });

  afterAll(async () => {
    // A test that failed half-way leaves stages held: let them end so the worker can stop.
    runner.releaseAll();
    await browser?.close();
    await proxy?.close();
    await t?.close();
  });

  it('lists pipelines newest first and shows new ones and their progress live, hostile text as text', async () => {
    const { page, problems, close } = await open('/pipelines', { recordEvents: true });
    await page.locator('.page-head .live-live').waitFor();
    // Live (the stream's `ready`) is not loaded: the first page may still be on its way.
    await page.locator('.pl-row').nth(4).waitFor();

    // A push whose branch, commit title and author name are hostile, as GitLab may send them.
    const hook = loadGitLabFixture('push-hostile');
    hook.project = {
      ...hook.project,
      id: projectIdOf.get('shop/order-service')!,
      path_with_namespace: 'shop/order-service',
    };
    // The page fetches a new pipeline when its `queued` event comes. That fetch is answered with
    // what it read while the test stage was held, but only after the stage has ended, the build has
    // started and the page has handled both events (as on a slow network or a busy machine):
    // events that come while the fetch is in flight must still reach the row.
    plans.set(hook.after, { hold: 'test' });
    let hostileId: (id: string) => void = () => {};
    let routeFailure: unknown;
    const hostilePushed = new Promise<string>((resolve) => {
      hostileId = resolve;
    });
    await page.route(
      /\/api\/v1\/pipelines\/[0-9a-z]+$/,
      async (route) => {
        // A throw here would be an unhandled rejection outside the test: keep it and fail below.
        try {
          const id = await hostilePushed;
          await held(id, 'test');
          const early = await route.fetch();
          plans.set(hook.after, { hold: 'build' });
          runner.release(id, 'test');
          await waitInPage(page, pageGotTransition(id, 'build', 'running'));
          await route.fulfill({ response: early });
        } catch (err) {
          routeFailure = err;
          await route.abort().catch(() => {});
        }
      },
      { times: 1 },
    );
    const hostile = await sendPush(hook);
    hostileId(hostile);
    const row = page.locator(`.pl-row[data-pipeline="${hostile}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await page.locator('.pl-row').first().getAttribute('data-pipeline')).toBe(hostile);
    // Live: the row moves to the running build without a reload.
    await row.locator('.seg.st-running', { hasText: 'build' }).waitFor();
    expect(routeFailure).toBeUndefined();
    const rowText = await textOf(row);
    expect(rowText).toContain(hostileBranch);
    expect(rowText).toContain('<img src=x onerror=alert(1)>');
    expect(await page.locator('.pl-list img, .pl-list script, .pl-list b, .pl-list font').count()).toBe(0);

    // A normal push lands on top; the hostile one finishes, live.
    const next = await push(
      'shop/payment-gateway',
      'test',
      "Merge branch 'feature/partial-refunds' into 'test'",
      {
        hold: 'test',
      },
    );
    await page.locator(`.pl-row[data-pipeline="${next.id}"] .badge.st-running`).waitFor();
    expect(await page.locator('.pl-row').first().getAttribute('data-pipeline')).toBe(next.id);
    runner.release(hostile, 'build');
    await row.locator('.badge.st-success').waitFor();
    await shot(page, 'pipelines-list');

    // Filters live in the URL and go to the API.
    await page.locator('select').selectOption('failed');
    await page.waitForURL(/status=failed/);
    // Until the filtered page has loaded, the rows of the unfiltered list (which hold the same two
    // failed pipelines among others) are still shown: wait for the list that has only those two.
    const rows = page.locator('.pl-row');
    await eventually(async () =>
      (await rows.count()) === 2 && (await rows.locator('.badge.st-failed').count()) === 2 ? true : undefined,
    );

    runner.release(next.id, 'test');
    expect(problems).toEqual([]);
    await close();
  });

  it('shows merge request checks apart from the environment pipelines, live, with the test stage only', async () => {
    const { page, problems, close } = await open('/pipelines');
    await page.locator('.pl-row').nth(4).waitFor();
    const sha = randomSha();
    plans.set(sha, { hold: 'test' });
    const res = await t.ferry.app.inject({
      method: 'POST',
      url: '/ferry/webhooks/gitlab',
      headers: { 'x-gitlab-token': testWebhookSecret, 'x-gitlab-event': 'Merge Request Hook' },
      payload: buildMergeRequestHook({
        action: 'open',
        iid: 31,
        title: 'Refunds <b>in</b> one click',
        sourceBranch: 'feature/one-click-refunds',
        targetBranch: 'test',
        lastCommit: { id: sha, message: 'Refunds <b>in</b> one click' },
        project: { id: projectIdOf.get('shop/order-service')!, pathWithNamespace: 'shop/order-service' },
      }) as unknown as Record<string, unknown>,
    });
    expect(res.statusCode, res.body).toBe(201);
    const id = (res.json() as { pipelineId: string }).pipelineId;
    // It arrives live in its own section, not among the pipelines that deploy.
    const row = page.locator(`.pl-checks .pl-row[data-pipeline="${id}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await page.locator(`.pl-row[data-pipeline="${id}"]`).count()).toBe(1);
    expect(await page.locator('.pl-checks h2').textContent()).toBeTruthy();
    // Apart both ways: the checks panel holds merge request pipelines only, the list above none.
    const idsOf = async (selector: string) => {
      const rows = page.locator(selector);
      const ids: string[] = [];
      for (let i = 0; i < (await rows.count()); i++)
        ids.push((await rows.nth(i).getAttribute('data-pipeline')) ?? '');
      return ids;
    };
    const inChecks = await idsOf('.pl-checks .pl-row');
    const placed = { inChecks, elsewhere: (await idsOf('.pl-row')).filter((x) => !inChecks.includes(x)) };
    expect(placed.inChecks).toContain(id);
    expect(placed.elsewhere.length).toBeGreaterThanOrEqual(5);
    const kindOf = async (pipelineId: string) =>
      (await t.ferry.app.inject({ method: 'GET', url: `/ferry/api/v1/pipelines/${pipelineId}` })).json<{
        kind: string;
      }>().kind;
    for (const x of placed.inChecks) expect(await kindOf(x)).toBe('merge_request');
    for (const x of placed.elsewhere) expect(await kindOf(x)).toBe('environment');
    await row.locator('.seg.st-running', { hasText: 'test' }).waitFor();
    expect(await row.locator('.seg').count()).toBe(1);
    const text = await textOf(row);
    expect(text).toContain('feature/one-click-refunds');
    expect(text).toContain('Refunds <b>in</b> one click');
    expect(await row.locator('b').count()).toBe(0);
    await shot(page, 'dashboard-mr-checks');
    runner.release(id, 'test');
    await row.locator('.badge.st-success').waitFor();
    const api = await t.ferry.app.inject({ method: 'GET', url: `/ferry/api/v1/pipelines/${id}` });
    expect(api.json()).toMatchObject({
      kind: 'merge_request',
      stages: [{ name: 'test', status: 'success' }],
    });
    expect(problems).toEqual([]);
    await close();
  });

  it("streams a running stage's log live: colours, timestamps, first error, raw download", async () => {
    const { id } = await push(
      'shop/order-service',
      'test',
      "Merge branch 'feature/refund-webhook' into 'test'",
      { hold: 'test' },
      people[1],
    );
    await held(id, 'test');
    const log = t.ferry.ctx.logs.writer(id, 'test');
    log.system('runner pod ferry-run-order-service-test-7f3k2 scheduled on node worker-3');
    log.write('stdout', `${esc}[1m> order-service@2.3.0 test${esc}[22m\n> vitest run\n\n`);
    const { page, problems, close } = await open(`/pipelines/${id}`);
    await page.locator('.ln-row', { hasText: 'order-service@2.3.0 test' }).waitFor();

    // Lines keep arriving while the page is open.
    const suites = [
      'refund.test.ts',
      'capture.test.ts',
      'ledger.test.ts',
      'webhook.test.ts',
      'orders.test.ts',
    ];
    for (const [i, suite] of suites.entries()) {
      log.write(
        'stdout',
        ` ${esc}[32m✓${esc}[39m src/${suite} ${esc}[2m(${12 + i * 3} tests)${esc}[22m ${40 + i * 17}ms\n`,
      );
      await page.locator('.ln-row', { hasText: suite }).waitFor();
    }
    log.write('stdout', `<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 1">\n`);
    log.write(
      'stderr',
      ` ${esc}[31m✗${esc}[39m src/partial-refund.test.ts > refunds part of a captured payment\n`,
    );
    log.write(
      'stderr',
      `   ${esc}[31mError: expected status 200, got 500${esc}[39m\n     at src/partial-refund.test.ts:41:7\n`,
    );
    log.write(
      'stdout',
      `\n ${esc}[1mTest Files${esc}[22m  ${esc}[31m1 failed${esc}[39m | ${esc}[32m5 passed${esc}[39m (6)\n`,
    );
    await page.locator('.ln-row', { hasText: 'Test Files' }).waitFor();

    // Colours are rendered, escape codes are not shown, the hostile line is text.
    const tick = page
      .locator('.ln-row', { hasText: 'refund.test.ts' })
      .locator('span[style*="color"]')
      .first();
    expect(await tick.getAttribute('style')).toContain('rgb(86, 211, 100)');
    expect(await textOf(page.locator('.log-box'))).not.toContain('[32m');
    expect(await page.locator('.ln-row', { hasText: '<script>window.__pwned = 1</script>' }).count()).toBe(1);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(await page.locator('.log-box img, .log-box script').count()).toBe(0);

    await page.getByRole('button', { name: 'Timestamps' }).click();
    expect(await page.locator('.ln-ts').count()).toBeGreaterThan(5);
    await page.getByRole('button', { name: 'First error' }).click();
    expect(await textOf(page.locator('.ln-row.hl'))).toContain('Error: expected status 200, got 500');
    await page.getByRole('button', { name: 'Timestamps' }).click();
    await shot(page, 'pipeline-log');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download' }).click(),
    ]);
    const raw = readFileSync((await download.path())!, 'utf8');
    expect(raw).toContain('Error: expected status 200, got 500');
    expect(download.suggestedFilename()).toBe(`${id}-test.log`);

    await log.close();
    runner.release(id, 'test');
    await page.locator('.pl-header .badge.st-success').waitFor();
    expect(problems).toEqual([]);
    await close();
  });

  it('shows where the middle of a long log was dropped, and opens the stage a link names', async () => {
    const { id } = await push('web/storefront', 'test', 'Rebuild the product image pipeline', {
      hold: 'build',
    });
    await held(id, 'build');
    const log = t.ferry.ctx.logs.writer(id, 'build');
    for (let i = 0; i < 1500; i++)
      log.write('stdout', `Step ${i}: ${'layer '.repeat(12)}sha256:${i.toString(16).padStart(8, '0')}\n`);
    log.write('stdout', 'Successfully pushed registry.internal:5000/web/storefront:4f2a9c1\n');
    await log.close();
    runner.release(id, 'build');
    await until(t, id, ['success']);

    const { page, problems, close } = await open(`/pipelines/${id}#build`);
    await page.locator('.step-btn.selected[data-stage="build"]').waitFor();
    const gap = page.getByTestId('log-gap');
    await gap.waitFor();
    expect(await textOf(gap)).toMatch(/KB dropped from the middle of this log/);
    await page.locator('.ln-row', { hasText: 'Successfully pushed' }).waitFor();
    expect(await page.locator('.ln-row', { hasText: 'Step 0:' }).count()).toBe(1);
    expect(problems).toEqual([]);
    await close();
  });

  it('cancels from the page, after signing in with a deployer token: the running stage stops', async () => {
    const { id } = await push('shop/payment-gateway', 'test', "Merge branch 'feature/3ds2' into 'test'", {
      hold: 'build',
    });
    await held(id, 'build');
    const { page, problems, close } = await open(`/pipelines/${id}`);
    const cancel = page.locator('[data-action="cancel"]');
    await cancel.waitFor();
    // Anonymous: the action is there but disabled, and says why.
    expect(await cancel.isDisabled()).toBe(true);
    expect(await page.locator('.tip-wrap', { has: cancel }).getAttribute('title')).toMatch(
      /Sign in with a deployer token/,
    );

    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('input[name="token"]').fill('not-a-token');
    await page.locator('dialog[open] button[type="submit"]').click();
    await page.getByRole('alert').filter({ hasText: 'Ferry does not know this token' }).waitFor();
    await page.locator('input[name="token"]').fill(apiTokens.deployer.value);
    await page.locator('dialog[open] button[type="submit"]').click();
    await page.locator('.who-name', { hasText: apiTokens.deployer.name }).waitFor();

    await page.locator('[data-action="cancel"]:not([disabled])').click();
    await page.locator('[data-confirm="cancel"]').click();
    await page.locator('.pl-header .badge.st-canceled').waitFor();
    expect(runner.aborted).toContain(`${id}:build`);
    const p = await stored(id);
    expect(p.status).toBe('canceled');
    expect(p.stages.find((s) => s.name === 'build')?.status).toBe('canceled');
    expect(await page.locator('[data-action="retry"]').isEnabled()).toBe(true);
    expect(problems).toEqual([]);
    await close();
  });

  let deployed: { id: string; sha: string };

  it('releases a deploy waiting for approval with the approve button', async () => {
    deployed = await push(
      'shop/order-service',
      'master',
      "Merge branch 'release/2.3.0' into 'master'",
      {},
      people[2],
    );
    await until(t, deployed.id, ['waiting_approval']);
    const { page, problems, close } = await open(`/pipelines/${deployed.id}`, { as: 'deployer' });
    await page.locator('.pl-header .badge.st-waiting_approval').waitFor();
    expect(await textOf(page.getByTestId('approval'))).toContain("waits for a deployer's approval");
    // Roll back comes with the change-pod stage: shown, disabled, and says so.
    const rollback = page.locator('[data-action="rollback"]');
    expect(await rollback.isDisabled()).toBe(true);
    expect(await page.locator('.tip-wrap', { has: rollback }).getAttribute('title')).toMatch(
      /cannot roll back yet/,
    );
    await shot(page, 'pipeline-approval');

    await page.locator('[data-action="approve"]').click();
    await page.locator('[data-confirm="approve"]').click();
    await page.locator('.pl-header .badge.st-success').waitFor({ timeout: 15_000 });
    expect(await textOf(page.getByTestId('approval'))).toContain(`Approved by ${apiTokens.deployer.name}`);
    const p = await stored(deployed.id);
    expect(p.approval?.approvedBy).toBe(apiTokens.deployer.name);
    expect(p.stages.map((s) => s.status)).toEqual(['success', 'success', 'success']);
    expect(problems).toEqual([]);
    await close();
  });

  it('shows what is deployed in each environment, and updates live', async () => {
    const { page, problems, close } = await open('/environments');
    const card = page.locator(
      '.env-section[data-environment="prod"] .env-card[data-project="shop/order-service"]',
    );
    await card.waitFor();
    expect(await textOf(card.getByTestId('deployed'))).toContain(deployed.sha.slice(0, 8));
    expect(await textOf(card.getByTestId('deployed'))).toContain('Anna Schmidt');
    // Environments come in the configured order.
    expect(
      await page.locator('.env-section').evaluateAll((s) => s.map((e) => e.getAttribute('data-environment'))),
    ).toEqual(['test', 'staging', 'prod']);
    await page.locator('.page-head .live-live').waitFor();
    const next = await push('platform/billing-service', 'staging', 'Add invoice PDF export');
    await until(t, next.id, ['success']);
    await page
      .locator('.env-section[data-environment="staging"] .env-card[data-project="platform/billing-service"]')
      .getByTestId('deployed')
      .filter({ hasText: next.sha.slice(0, 8) })
      .waitFor({ timeout: 10_000 });
    await shot(page, 'environments');
    expect(problems).toEqual([]);
    await close();
  });

  it('shows the image and the rendered manifests when the record has them (issue 5 adds them)', async () => {
    const { page, problems, close } = await open('/pipelines', { as: 'viewer' });
    await page.route(`**/api/v1/pipelines/${deployed.id}`, async (route) => {
      const answer = await route.fetch();
      const record = (await answer.json()) as Record<string, unknown>;
      record.image = {
        repository: 'registry.internal:5000/shop/order-service',
        tag: deployed.sha.slice(0, 8),
        digest: 'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
      };
      record.manifests = [
        {
          kind: 'Deployment',
          namespace: 'shop-prod',
          name: 'order-service',
          action: 'configured',
          yaml: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: order-service\n  namespace: shop-prod\nspec:\n  replicas: 2\n',
        },
        {
          kind: 'Service',
          namespace: 'shop-prod',
          name: 'order-service',
          action: 'unchanged',
          yaml: 'apiVersion: v1\nkind: Service\n',
        },
      ];
      await route.fulfill({ response: answer, json: record });
    });
    await page.goto(`${base}/pipelines/${deployed.id}#deploy`);
    await page.getByTestId('image').waitFor();
    expect(await textOf(page.getByTestId('image'))).toContain('sha256:9f86d081');
    expect(await textOf(page.getByTestId('manifests'))).toContain('Deployment shop-prod/order-service');
    // A viewer sees the actions, disabled, with the reason.
    expect(await page.locator('[data-action="retry"]').isDisabled()).toBe(true);
    await shot(page, 'pipeline-deploy-details');
    expect(problems).toEqual([]);
    await close();
  });

  it('is readable on a phone', async () => {
    const list = await open('/pipelines', { phone: true });
    await list.page.locator('.pl-row').first().waitFor();
    const overflow = await list.page.evaluate(overflowScript);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(list.page, 'phone-pipelines-list');
    await list.close();

    const failed = (await t.ferry.ctx.store.list({ status: 'failed' }, 1)).items[0]!;
    const one = await open(`/pipelines/${failed.id}`, { phone: true });
    await one.page.locator('.pl-header .badge.st-failed').waitFor();
    expect(await one.page.evaluate(overflowScript)).toBeLessThanOrEqual(0);
    await shot(one.page, 'phone-pipeline');
    expect([...list.problems, ...one.problems]).toEqual([]);
    await one.close();
  });

  it('answers deep links and unknown pages', async () => {
    const { page, close } = await open('/pipelines/doesnotexist0');
    await page.getByRole('heading', { name: 'Nothing here' }).waitFor();
    await page.goto(`${base}/`);
    await page.getByRole('heading', { name: 'Pipelines' }).waitFor();
    await close();
  });
});
