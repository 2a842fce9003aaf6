import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, copyFile, mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chromiumArgs } from './dashboard-support.js';

/**
 * The acceptance of issue 18's demo: a fresh clone of this checkout (only what git tracks: no
 * dist/, no .ferry/, no web build) runs `npm run demo -- --once`, which builds what it needs and
 * runs the demo; Chromium opens the pipeline page the demo prints while the pipeline is live and
 * screenshots it. To keep the run time reasonable the clone gets this checkout's node_modules as
 * hard links (`npm ci` from the network is what a user's first run adds; `.ci/run` covers it).
 * With the Docker engine (always, in this suite) the demo builds the runner image and starts the
 * clone's Kubernetes double itself: the pipeline tests, builds, pushes and rolls out.
 * FERRY_E2E_KEEP=1 keeps the temp dir (with the screenshots) and prints where it is.
 */
const exec = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

let tmp: string;
let browser: Browser;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'ferry-demo-e2e-'));
  await exec('git', ['clone', '--quiet', '--no-hardlinks', root, join(tmp, 'ferry')]);
  await exec('cp', ['-al', join(root, 'node_modules'), join(tmp, 'ferry', 'node_modules')]);
  // npm's record of the install, newer than the clone's lockfile (a copy: the original stays as it is).
  const stamp = join(tmp, 'ferry', 'node_modules', '.package-lock.json');
  await rm(stamp);
  await copyFile(join(root, 'node_modules', '.package-lock.json'), stamp);
  await mkdir(join(tmp, 'tmp'), { mode: 0o711 });
  // As /tmp is for a user: stage scripts run as the unprivileged executor.local.user when root runs Ferry.
  await chmod(tmp, 0o711);
  await chmod(join(tmp, 'tmp'), 0o711);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (process.env.FERRY_E2E_KEEP === '1') console.log(`kept ${tmp}`);
  else await rm(tmp, { recursive: true, force: true });
});

it('npm run demo -- --once on a fresh clone: the pipeline runs live in the dashboard and succeeds', async () => {
  const child = spawn('npm', ['run', 'demo', '--', '--once', '--linger', '60'], {
    cwd: join(tmp, 'ferry'),
    env: { ...process.env, TMPDIR: join(tmp, 'tmp') },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so the test can stop npm and what it runs at once
  });
  const exited = once(child, 'exit') as Promise<[number | null]>;
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  // One iterator for every wait (a for-await that breaks would close the lines).
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
  const next = async (pattern: RegExp): Promise<RegExpExecArray> => {
    for (let line = await lines.next(); !line.done; line = await lines.next()) {
      output += `${line.value}\n`;
      const match = pattern.exec(line.value);
      if (match !== null) return match;
    }
    throw new Error(`the demo ended without ${pattern}:\n${output.slice(-3000)}`);
  };
  try {
    const gitlab = (await next(/GitLab double\s+(http:\/\/127\.0\.0\.1:\d+)\//))[1] as string;
    const live = (await next(/runs live at (http:\/\/127\.0\.0\.1:\d+\/pipelines\/\S+)/))[1] as string;
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(live);
    // The test stage's log, streamed by the page while (or just after) the pipeline runs. The page
    // follows the stage that runs: with warm images the pipeline may be at build or deploy already.
    await page.locator('.step-btn[data-stage="test"]').click();
    await page.locator('.ln-row', { hasText: 'ok greeting "Hello from Ferry"' }).waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(tmp, 'demo-pipeline-live.png') });
    expect((await next(/→ (\w+)/))[1]).toBe('success');
    await page.locator('.pl-header .badge.st-success').waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(tmp, 'demo-pipeline-done.png') });
    await page.goto(`${gitlab}/`);
    await page.screenshot({ path: join(tmp, 'demo-gitlab-double.png') });
    expect(await page.locator('td', { hasText: 'ferry/test' }).count()).toBeGreaterThan(0);
    for (const name of ['demo-pipeline-live', 'demo-pipeline-done', 'demo-gitlab-double'])
      expect((await stat(join(tmp, `${name}.png`))).size).toBeGreaterThan(10_000);

    // Ctrl-C (to the whole group, as a terminal sends it) ends the linger: exit 0, the pipeline passed.
    await next(/Keeping it up/);
    process.kill(-(child.pid as number), 'SIGINT');
    // npm itself ends by the signal, as on a terminal; the demo cleaned up behind it.
    const [code, signal] = (await exited) as unknown as [number | null, string | null];
    expect(code === 0 || signal === 'SIGINT').toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect((await readdir(join(tmp, 'tmp'))).filter((name) => name.startsWith('ferry-demo-'))).toEqual([]);
  } finally {
    if (child.exitCode === null && child.signalCode === null) process.kill(-(child.pid as number), 'SIGKILL');
  }
}, 1_200_000);
