import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StageName } from '@ferry/shared';
import type { Page } from 'playwright-core';
import type {
  StageOutcome,
  StageRunner,
  StageRunRequest,
} from '../../packages/server/src/stages/stage-runner.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const web = join(root, 'packages/web');

function newest(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** Builds the dashboard when its build is missing or older than its sources (npm test builds it first). */
export function ensureWebBuild(): void {
  const built = join(web, 'dist/index.html');
  const sources = ['app', 'public', 'index.html', 'vite.config.ts', 'package.json'].map((p) => join(web, p));
  if (existsSync(built) && statSync(built).mtimeMs >= Math.max(...sources.map(newest))) return;
  execFileSync('npm', ['run', 'build', '-w', '@ferry/web'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
}

export type Plan = { hold?: StageName; fail?: { stage: StageName; reason: string } };

/**
 * A runner whose stages succeed quickly, unless the plan for the pipeline holds one (until the
 * test releases it, or a cancel aborts it) or fails one. Records which stages were aborted.
 */
export class HeldRunner implements StageRunner {
  readonly aborted: string[] = [];
  readonly #held = new Map<string, () => void>();
  plan: (req: StageRunRequest) => Plan = () => ({});

  async run(req: StageRunRequest): Promise<StageOutcome> {
    await req.onStarted(`held:${req.pipeline.id}:${req.stage}:${req.attempt}`);
    const plan = this.plan(req);
    const key = `${req.pipeline.id}:${req.stage}`;
    if (plan.hold !== req.stage) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      if (plan.fail?.stage === req.stage) return { status: 'failed', reason: plan.fail.reason };
      return { status: 'success' };
    }
    return new Promise((resolve) => {
      const onAbort = () => {
        this.aborted.push(key);
        resolve({ status: 'canceled', reason: 'canceled' });
      };
      req.signal.addEventListener('abort', onAbort, { once: true });
      this.#held.set(key, () => {
        req.signal.removeEventListener('abort', onAbort);
        resolve({ status: 'success' });
      });
    });
  }

  isHeld(pipelineId: string, stage: StageName): boolean {
    return this.#held.has(`${pipelineId}:${stage}`);
  }

  release(pipelineId: string, stage: StageName): void {
    this.#held.get(`${pipelineId}:${stage}`)?.();
    this.#held.delete(`${pipelineId}:${stage}`);
  }

  releaseAll(): void {
    for (const release of this.#held.values()) release();
    this.#held.clear();
  }

  async destroy(): Promise<void> {}
}

/**
 * A reverse proxy that serves Ferry under `prefix` and strips it, saying so in X-Forwarded-Prefix
 * (as nginx or Traefik set up for a path prefix do). Streams pass through unbuffered.
 */
export async function startPrefixProxy(
  target: string,
  prefix: string,
): Promise<{ url: string; close(): Promise<void> }> {
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    if (req.url === undefined || !req.url.startsWith(`${prefix}/`)) {
      res.writeHead(404).end('not under the proxy prefix');
      return;
    }
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url.slice(prefix.length),
        headers: {
          ...req.headers,
          host: upstream.host,
          'x-forwarded-prefix': prefix,
          'x-forwarded-proto': 'http',
        },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    res.on('close', () => forward.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/**
 * Page code (a string: the test program has no DOM types) that keeps a copy of everything the
 * page's event streams (`/api/v1/events`) receive in `window.__ferryEvents`, through a tee of the
 * response body: the page reads the same chunks at the same moment, so once a chunk shows up
 * here, the page has handled the events in it.
 */
export const recordEventStreams = `
  window.__ferryEvents = '';
  const pageFetch = window.fetch.bind(window);
  window.fetch = async (input, init) => {
    const res = await pageFetch(input, init);
    const url = typeof input === 'string' ? input : input.url;
    if (!String(url).includes('/api/v1/events') || res.body === null) return res;
    const [copy, page] = res.body.tee();
    void (async () => {
      const reader = copy.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        window.__ferryEvents += decoder.decode(value, { stream: true });
      }
    })();
    return new Response(page, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
`;

/**
 * Waits until page code (an expression) is true. Polls with `page.evaluate`, which DevTools runs
 * as a script of its own: `page.waitForFunction` builds its predicate with `eval` inside the page,
 * and the dashboard's Content-Security-Policy (`script-src 'self'`) refuses that.
 */
export async function waitInPage(page: Page, expression: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > end) throw new Error(`page never satisfied: ${expression.slice(0, 120)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Page code: whether the page's event streams have received a transition of `stage` to `status`. */
export function pageGotTransition(pipelineId: string, stage: string, status: string): string {
  const wanted = JSON.stringify({ id: pipelineId, stage, status });
  return `window.__ferryEvents.split('\\n').some((line) => {
    if (!line.startsWith('data: ')) return false;
    const e = JSON.parse(line.slice(6));
    const w = ${wanted};
    return e.id === w.id && e.stage === w.stage && e.status === w.status;
  })`;
}
