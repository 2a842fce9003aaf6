import { randomUUID } from 'node:crypto';
import { randomSha, startGitLabDouble } from '@ferry/doubles/gitlab';
import { startWeComDouble } from '@ferry/doubles/wecom';
import { createLogger, type PipelineRecord, Secret } from '@ferry/shared';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGitLabApi } from '../../packages/server/src/gitlab/api/gitlab-api.js';
import { GitLabVersion, versionReader } from '../../packages/server/src/gitlab/api/gitlab-version.js';
import { ExternalPipelineIds } from '../../packages/server/src/gitlab/statuses/external-pipeline-ids.js';
import { GitLabReporter } from '../../packages/server/src/gitlab/statuses/gitlab-reporter.js';
import { GitLabStatusClient } from '../../packages/server/src/gitlab/statuses/gitlab-status-client.js';
import { LastPostedStates } from '../../packages/server/src/gitlab/statuses/last-posted-states.js';
import { RedisLogStore } from '../../packages/server/src/logs/redis/redis-log-store.js';
import { systemClock } from '../../packages/server/src/reporting/clock.js';
import type { Reporter, Transition } from '../../packages/server/src/reporting/reporter.js';
import { reportingKeys } from '../../packages/server/src/reporting/reporting-keys.js';
import { nullReportingMetrics } from '../../packages/server/src/reporting/reporting-metrics.js';
import { BotStates } from '../../packages/server/src/reporting/wecom/bot-states.js';
import { OnceMarks } from '../../packages/server/src/reporting/wecom/once-marks.js';
import { SendWindow } from '../../packages/server/src/reporting/wecom/send-window.js';
import { WeComBotClient } from '../../packages/server/src/reporting/wecom/wecom-bot-client.js';
import { WeComReporter } from '../../packages/server/src/reporting/wecom/wecom-reporter.js';
import { RedisPipelineStore } from '../../packages/server/src/store/redis/redis-pipeline-store.js';
import { testConfig } from '../support/ferry.js';
import { connectTestRedis } from '../support/services.js';

/**
 * What every Reporter must do, whatever it reports to: items it plans survive JSON (they wait in
 * Redis), a delivery consumes at least one and at most all items handed to it, a service outage
 * is a retry (never a throw, never "done"), and an unreadable item is dropped, not retried forever.
 */
interface Subject {
  reporter: Reporter;
  down(): void;
  up(): void;
  close(): Promise<void>;
}

let redis: Redis;
beforeAll(async () => {
  redis = await connectTestRedis();
});
afterAll(async () => {
  await redis.quit();
});

const logger = createLogger({ level: 'silent' });
const url = (id: string, stage?: string) =>
  `https://ferry.example.com/pipelines/${id}${stage ? `#${stage}` : ''}`;

function record(sha: string, status: PipelineRecord['status']): PipelineRecord {
  const now = new Date().toISOString();
  return {
    id: `p${randomUUID().slice(0, 8)}`,
    project: { id: 4217, path: 'shop/order-service', webUrl: '', cloneUrl: '' },
    environment: 'test',
    ref: 'test',
    sha,
    trigger: 'push',
    user: { username: 'li.wei', name: '李伟' },
    commitTitle: '修复订单金额计算',
    status,
    stages: (['test', 'build', 'deploy'] as const).map((name) => ({
      name,
      status: status === 'success' ? 'success' : 'pending',
      attempts: 1,
    })),
    priority: 10,
    lane: '4217:test',
    createdAt: now,
    queuedAt: now,
    startedAt: now,
    ...(status === 'success' ? { finishedAt: now } : {}),
  };
}

const subjects: Array<[string, () => Promise<Subject & { sha(): string }>]> = [
  [
    'gitlab',
    async () => {
      const gitlab = await startGitLabDouble();
      gitlab.projects.addProject({ id: 4217, path_with_namespace: 'shop/order-service' });
      const { config } = testConfig(
        { gitlab: { url: gitlab.url, token: { env: 'T_TOKEN' } } },
        { T_TOKEN: gitlab.token },
      );
      const reporter = new GitLabReporter({
        client: new GitLabStatusClient(createGitLabApi(config, 'test')),
        lastStates: new LastPostedStates(redis, reportingKeys(`c${randomUUID().slice(0, 8)}`)),
        links: { pipelineUrl: url },
        logger,
        metrics: nullReportingMetrics,
        version: new GitLabVersion(versionReader(gitlab.url, () => gitlab.token, 5_000)),
        pipelineIds: new ExternalPipelineIds(
          new RedisPipelineStore(redis, { prefix: `c${randomUUID().slice(0, 8)}` }),
        ),
      });
      return {
        reporter,
        sha: () => {
          const sha = randomSha();
          gitlab.projects.setBranch(4217, 'test', sha);
          return sha;
        },
        down: () => gitlab.outage(true),
        up: () => gitlab.outage(false),
        close: () => gitlab.close(),
      };
    },
  ],
  [
    'wecom',
    async () => {
      const wecom = await startWeComDouble();
      const keys = reportingKeys(`c${randomUUID().slice(0, 8)}`);
      const reporter = new WeComReporter({
        bots: [
          {
            name: 'team',
            key: new Secret(wecom.key, 'test'),
            projects: [],
            environments: [],
            language: 'zh',
          },
        ],
        client: new WeComBotClient(wecom.url),
        window: new SendWindow(redis, keys, 60_000),
        once: new OnceMarks(redis, keys),
        states: new BotStates(nullReportingMetrics, ['team']),
        mentions: {},
        pipelineUrl: url,
        logs: new RedisLogStore(redis, { prefix: keys.cursor, capBytes: 1 << 20 }),
        logTailLines: 10,
        clock: systemClock,
        logger,
        metrics: nullReportingMetrics,
      });
      return {
        reporter,
        sha: randomSha,
        down: () => wecom.outage(true),
        up: () => wecom.outage(false),
        close: () => wecom.close(),
      };
    },
  ],
];

describe.each(subjects)('%s reporter conformance', (_name, make) => {
  let subject: Awaited<ReturnType<typeof make>>;
  afterEach(async () => {
    await subject?.close();
  });

  const transition = (p: PipelineRecord): Extract<Transition, { kind: 'pipeline' }> => ({
    id: `${Date.now()}-0`,
    kind: 'pipeline',
    pipelineId: p.id,
    status: p.status,
    at: new Date().toISOString(),
  });
  const planned = async (p: PipelineRecord) => {
    const deliveries = await subject.reporter.plan(transition(p), p, AbortSignal.timeout(5_000));
    // They wait in Redis as JSON.
    return deliveries.map((d) => ({
      channel: d.channel,
      item: JSON.parse(JSON.stringify(d.item)) as unknown,
    }));
  };

  it('plans JSON items on a channel and delivers them', async () => {
    subject = await make();
    const deliveries = await planned(record(subject.sha(), 'success'));
    expect(deliveries.length).toBeGreaterThan(0);
    for (const { channel, item } of deliveries) {
      expect(channel).toMatch(/\S/);
      const result = await subject.reporter.deliver(channel, [item], AbortSignal.timeout(5_000));
      expect(result).toEqual({ kind: 'done', count: 1 });
    }
  });

  it('answers an outage with a retry, then delivers once the service is back', async () => {
    subject = await make();
    const [delivery] = await planned(record(subject.sha(), 'running'));
    expect(delivery).toBeDefined();
    const { channel, item } = delivery as { channel: string; item: unknown };
    subject.down();
    const failed = await subject.reporter.deliver(channel, [item], AbortSignal.timeout(5_000));
    expect(failed.kind).toBe('retry');
    subject.up();
    expect(await subject.reporter.deliver(channel, [item], AbortSignal.timeout(5_000))).toMatchObject({
      kind: 'done',
    });
  });

  it('drops an item it cannot read instead of retrying it forever', async () => {
    subject = await make();
    const [delivery] = await planned(record(subject.sha(), 'running'));
    const result = await subject.reporter.deliver(
      delivery?.channel ?? 'x',
      [{ nonsense: true }],
      AbortSignal.timeout(5_000),
    );
    expect(result).toMatchObject({ kind: 'failed', count: 1 });
  });

  it('plans nothing it cannot send for every kind of transition, without throwing', async () => {
    subject = await make();
    const p = record(subject.sha(), 'running');
    for (const status of [
      'queued',
      'running',
      'waiting_approval',
      'success',
      'failed',
      'canceled',
      'skipped',
    ] as const) {
      await expect(
        subject.reporter.plan({ ...transition(p), status }, { ...p, status }, AbortSignal.timeout(5_000)),
      ).resolves.toBeInstanceOf(Array);
    }
    for (const status of ['pending', 'running', 'success', 'failed', 'canceled', 'skipped'] as const) {
      const t: Transition = {
        id: '1-0',
        kind: 'stage',
        pipelineId: p.id,
        stage: 'build',
        status,
        at: new Date().toISOString(),
      };
      await expect(subject.reporter.plan(t, p, AbortSignal.timeout(5_000))).resolves.toBeInstanceOf(Array);
    }
  });
});
