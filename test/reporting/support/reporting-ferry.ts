import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { DEFAULT_INSTANCE_URL, type GitLabDouble } from '@ferry/doubles/gitlab';
import type { WeComDouble } from '@ferry/doubles/wecom';
import { createLogger } from '@ferry/shared';
import {
  type EnvironmentMap,
  StaticEnvironmentMap,
} from '../../../packages/server/src/pipeline/environment-map.js';
import type { Clock } from '../../../packages/server/src/reporting/clock.js';
import { type RunningFerry, startFerry } from '../../../packages/server/src/runtime/start-ferry.js';
import type { StageRunner } from '../../../packages/server/src/stages/stage-runner.js';
import { testConfig } from '../../support/ferry.js';
import { testRedisUrl } from '../../support/services.js';

export const PUBLIC_URL = 'https://ferry.example.com';

export interface TestBot {
  name: string;
  key: string;
  projects?: string[];
  environments?: string[];
  language?: 'zh' | 'en';
}

export interface ReportingFerryOptions {
  /** Reuse a prefix to restart "the same" Ferry on the same Redis data. */
  prefix?: string;
  gitlab?: GitLabDouble;
  /** The token Ferry is configured with (default the double's valid one). */
  gitlabToken?: string;
  wecom?: WeComDouble;
  bots?: TestBot[];
  mentions?: Record<string, string>;
  config?: Record<string, unknown>;
  runner?: StageRunner;
  environments?: EnvironmentMap;
  clock?: Clock;
  worker?: boolean;
  leaseTtlMs?: number;
  /** More environment for the config's secret references. */
  env?: Record<string, string>;
}

export interface ReportingFerry {
  ferry: RunningFerry;
  url: string;
  prefix: string;
  /** Every log line Ferry wrote (JSON objects). */
  logs: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/** test → `test` (no approval), prod → `master` (approval). */
export function testEnvironments(): EnvironmentMap {
  return new StaticEnvironmentMap([
    { environment: 'test', branch: 'test', supersede: false, priority: 10, approval: false },
    { environment: 'prod', branch: 'master', supersede: false, priority: 1, approval: true },
  ]);
}

/** A Ferry on the test Redis reporting to the GitLab and WeCom doubles, its logs captured. */
export async function startReportingFerry(options: ReportingFerryOptions = {}): Promise<ReportingFerry> {
  const prefix = options.prefix ?? `r${randomUUID().slice(0, 8)}`;
  const env: Record<string, string> = { ...options.env };
  const values: Record<string, unknown> = {
    executor: { kind: 'noop' },
    limits: { lockDuration: '5s', recoveryInterval: '2s', drainTimeout: '5s' },
    server: { publicUrl: PUBLIC_URL },
    reporting: { retryInitial: '50ms', retryMax: '500ms' },
  };
  if (options.gitlab !== undefined) {
    env['TEST_GITLAB_TOKEN'] = options.gitlabToken ?? options.gitlab.token;
    values['gitlab'] = {
      url: options.gitlab.url,
      token: { env: 'TEST_GITLAB_TOKEN' },
      // The payload builders' projects clone from the fixtures' GitLab host, not the double's port.
      cloneHosts: [DEFAULT_INSTANCE_URL],
    };
  }
  if (options.wecom !== undefined) {
    values['wecom'] = {
      baseUrl: options.wecom.url,
      bots: (options.bots ?? [{ name: 'team', key: options.wecom.key }]).map((bot, i) => {
        env[`TEST_WECOM_KEY_${i}`] = bot.key;
        return { ...bot, key: { env: `TEST_WECOM_KEY_${i}` } };
      }),
      mentions: options.mentions ?? {},
    };
  }
  const merged = { ...values, ...options.config, redis: { url: testRedisUrl(), keyPrefix: prefix } };
  const { config, secrets } = testConfig(merged, env);
  const logs: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') logs.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  const ferry = await startFerry({
    config,
    logger: createLogger({ level: 'debug', destination }),
    redisUrl: testRedisUrl(),
    environments: options.environments ?? testEnvironments(),
    defaultMetrics: false,
    // As `ferry serve` does: the configuration's secret values are masked and never echoed.
    secrets,
    ...(options.runner === undefined ? {} : { runner: options.runner }),
    ...(options.worker === undefined ? {} : { worker: options.worker }),
    reporting: {
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      leaseTtlMs: options.leaseTtlMs ?? 3_000,
    },
  });
  const url = await ferry.app.listen({ host: '127.0.0.1', port: 0 });
  return { ferry, url, prefix, logs, close: () => ferry.close() };
}
