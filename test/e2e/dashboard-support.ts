import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StageName } from '@ferry/shared';
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
