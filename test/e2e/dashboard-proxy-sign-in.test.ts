import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFerry } from '../api/api-support.js';
import type { TestFerry } from '../support/ferry.js';
import { chromiumArgs, ensureWebBuild, startPrefixProxy } from './dashboard-support.js';

/**
 * The dashboard behind a sign-in proxy (`auth.proxy`): the proxy on 127.0.0.1 is trusted, and the
 * browser's X-Forwarded-User passes through it, as an SSO proxy's own header would.
 */
describe('dashboard signed in by a reverse proxy', () => {
  let t: TestFerry;
  let proxy: { url: string; close(): Promise<void> };
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    ensureWebBuild();
    t = await startApiFerry({
      worker: false,
      anonymousRead: false,
      proxy: { trustedProxies: ['127.0.0.1', '::1'], users: { alice: 'deployer' } },
      // The prefix proxy says where it serves Ferry in X-Forwarded-Prefix, read only with trustProxy.
      config: { server: { basePath: '/ferry', trustProxy: true } },
    });
    proxy = await startPrefixProxy(t.url, '/ci');
    base = `${proxy.url}/ferry`;
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
  });

  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await t?.close();
  });

  async function open(headers: Record<string, string>) {
    const context = await browser.newContext({ extraHTTPHeaders: headers });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(err.message));
    await page.goto(`${base}/pipelines`);
    return { page, problems, close: () => context.close() };
  }

  it('shows who the proxy signed in, without asking for a token', async () => {
    const { page, problems, close } = await open({ 'X-Forwarded-User': 'alice' });
    try {
      await page.locator('.who-name', { hasText: 'alice' }).waitFor();
      expect(await page.locator('.who-name').getAttribute('title')).toContain('sign-in proxy');
      expect(await page.getByRole('button', { name: 'Use a token' }).count()).toBe(1);
      expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
      expect(await page.getByRole('heading', { name: 'Sign in to see pipelines' }).count()).toBe(0);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('says so when the proxy names a user Ferry gives no role', async () => {
    const { page, close } = await open({ 'X-Forwarded-User': 'mallory' });
    try {
      await page.getByText('User mallory is signed in by the proxy but has no role in Ferry').waitFor();
    } finally {
      await close();
    }
  });

  it('asks for a token when the proxy names nobody', async () => {
    const { page, close } = await open({});
    try {
      await page.getByRole('heading', { name: 'Sign in to see pipelines' }).waitFor();
    } finally {
      await close();
    }
  });
});
