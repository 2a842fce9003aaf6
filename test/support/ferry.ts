import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type FerryConfig, loadConfig } from '@ferry/shared';
import type { Executor } from '../../packages/server/src/executors/executor.js';
import type { EnvironmentMap } from '../../packages/server/src/pipeline/environment-map.js';
import { environmentsFromConfig } from '../../packages/server/src/runtime/environments-from-config.js';
import { type RunningFerry, startFerry } from '../../packages/server/src/runtime/start-ferry.js';
import type { StageRunner } from '../../packages/server/src/stages/stage-runner.js';
import { testRedisUrl } from './services.js';

export const testWebhookSecret = 'test-webhook-secret-0123456789';

/** Writes a config object to a temp file and loads it the way `ferry serve` does. */
export function testConfig(
  values: Record<string, unknown>,
  env: Record<string, string> = {},
): { config: FerryConfig; file: string; env: Record<string, string>; secrets: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-test-config-'));
  const file = join(dir, 'ferry.json');
  writeFileSync(file, JSON.stringify(values));
  const fullEnv = { FERRY_WEBHOOK_SECRET: testWebhookSecret, ...env };
  const loaded = loadConfig({ env: fullEnv, file });
  return { config: loaded.config, file, env: fullEnv, secrets: loaded.secrets.map((s) => s.reveal()) };
}

export interface TestFerry {
  ferry: RunningFerry;
  url: string;
  prefix: string;
  close(): Promise<void>;
}

export interface StartTestFerryOptions {
  config?: Record<string, unknown>;
  env?: Record<string, string>;
  environments?: EnvironmentMap;
  runner?: StageRunner;
  /** An executor double to run stages through (instead of `executor.kind`'s). */
  executor?: Executor;
  worker?: boolean;
  listen?: boolean;
  /** A Redis other than the shared test one (fault tests). */
  redisUrl?: string;
  /** A key prefix of the test's choosing (a Ferry taking over what another left); default: a fresh one. */
  prefix?: string;
  /** The process and Node.js metrics (off by default: tests start many Ferries in one process). */
  defaultMetrics?: boolean;
}

/** A Ferry on the real test Redis, under a key prefix of its own, listening on a free port. */
export async function startTestFerry(options: StartTestFerryOptions = {}): Promise<TestFerry> {
  const prefix = options.prefix ?? `t${randomUUID().slice(0, 8)}`;
  const { config, secrets } = testConfig(
    {
      executor: { kind: 'noop' },
      limits: { lockDuration: '5s', recoveryInterval: '2s', drainTimeout: '5s' },
      // Each test Ferry archives into a SQLite file of its own (tests of the archive pass `history`).
      history: {
        sqlite: { file: join(mkdtempSync(join(tmpdir(), 'ferry-test-history-')), 'history.sqlite') },
      },
      ...options.config,
      redis: { url: options.redisUrl ?? testRedisUrl(), keyPrefix: prefix },
    },
    options.env,
  );
  const ferry = await startFerry({
    config,
    logger: createLogger({ level: process.env.FERRY_TEST_LOG ?? 'silent' }),
    redisUrl: options.redisUrl ?? testRedisUrl(),
    environments: options.environments ?? environmentsFromConfig(config),
    defaultMetrics: options.defaultMetrics ?? false,
    // As `ferry serve` does: the configuration's secret values are masked and never echoed.
    secrets,
    ...(options.runner === undefined ? {} : { runner: options.runner }),
    ...(options.executor === undefined ? {} : { executor: options.executor }),
    ...(options.worker === undefined ? {} : { worker: options.worker }),
  });
  let url = '';
  if (options.listen !== false) url = await ferry.app.listen({ host: '127.0.0.1', port: 0 });
  return { ferry, url, prefix, close: () => ferry.close() };
}

/** Polls `check` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
