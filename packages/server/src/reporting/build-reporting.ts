import { setTimeout as delay } from 'node:timers/promises';
import type { FerryConfig, Logger, PipelineRecord } from '@ferry/shared';
import type { Redis } from 'ioredis';
import { AlertGate } from '../alerts/alert-gate.js';
import type { AlertMetrics } from '../alerts/alert-metrics.js';
import { type AlertSink, nullAlertSink } from '../alerts/alert-sink.js';
import { QueueWaitObserver } from '../alerts/queue-wait-observer.js';
import { RateLimitedAlertSink } from '../alerts/rate-limited-alert-sink.js';
import { watchReporterFailures } from '../alerts/reporter-failure-monitor.js';
import { createGitLabApi, type GitLabApi, gitlabConfigured } from '../gitlab/api/gitlab-api.js';
import { GitLabVersion, versionReader } from '../gitlab/api/gitlab-version.js';
import { GitLabDeploymentReporter } from '../gitlab/deployments/deployment-reporter.js';
import { ExternalPipelineIds } from '../gitlab/statuses/external-pipeline-ids.js';
import { GitLabReporter } from '../gitlab/statuses/gitlab-reporter.js';
import { GitLabStatusClient } from '../gitlab/statuses/gitlab-status-client.js';
import { LastPostedStates } from '../gitlab/statuses/last-posted-states.js';
import type { LogStore } from '../logs/log-store.js';
import type { FerryMetrics } from '../metrics/metrics.js';
import { nullObserver, type PipelineObserver } from '../pipeline/observer.js';
import { connectRedis } from '../redis/connect.js';
import type { PipelineStore } from '../store/pipeline-store.js';
import { type Clock, systemClock } from './clock.js';
import { pipelineUrl } from './links.js';
import { OutboxQueue } from './outbox/outbox-queue.js';
import { ReportOutbox } from './outbox/report-outbox.js';
import { ReporterHealth } from './outbox/reporter-health.js';
import type { Reporter } from './reporter.js';
import { reportingKeys } from './reporting-keys.js';
import type { ReportingMetrics } from './reporting-metrics.js';
import { BotStates } from './wecom/bot-states.js';
import { OnceMarks } from './wecom/once-marks.js';
import { WECOM_WINDOW_MS } from './wecom/send-pacer.js';
import { SendWindow } from './wecom/send-window.js';
import { WeComAlertChannel } from './wecom/wecom-alert-channel.js';
import { botsFromConfig } from './wecom/wecom-bot.js';
import { WeComBotClient } from './wecom/wecom-bot-client.js';
import { WeComReporter } from './wecom/wecom-reporter.js';

export interface BuildReportingOptions {
  config: FerryConfig;
  logger: Logger;
  redisUrl: string;
  store: PipelineStore;
  logs: LogStore;
  metrics: FerryMetrics;
  /** Time for pacing and backoff (tests pass a clock they move). */
  clock?: Clock;
  /** The image tag a pipeline deployed, for WeCom success messages (e.g. from the resolved plan). */
  imageTag?: (pipeline: PipelineRecord, signal: AbortSignal) => Promise<string | undefined>;
  /** A GitLab client other than the configured one (tests). */
  gitlabApi?: GitLabApi;
  /** GitLab's version other than the configured GitLab's (tests). */
  gitlabVersion?: GitLabVersion;
  /** How long the sending replica's lease lasts (default `reporting.leaseTtl`). */
  leaseTtlMs?: number;
}

/** Reporting and alerts of one Ferry process, built but not started. */
export interface Reporting {
  /** Operational alerts (executors call `runnerPendingTooLong`). */
  alerts: AlertSink;
  /** Told about pipeline starts: alerts on a queue wait over its objective. */
  observer: PipelineObserver;
  /** The outbox; undefined when reporting is disabled. */
  outbox: ReportOutbox | undefined;
  /** The reporters in use (`gitlab` when GitLab is configured, `wecom` when bots are). */
  reporters: readonly string[];
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Composes reporting: the GitLab and WeCom reporters that are configured, the durable outbox that
 * drives them from the store's transitions, and the alert sink on the same WeCom channel.
 */
export function buildReporting(options: BuildReportingOptions): Reporting {
  const { config, logger, metrics } = options;
  if (!config.reporting.enabled) {
    return {
      alerts: nullAlertSink,
      observer: nullObserver,
      outbox: undefined,
      reporters: [],
      start: async () => {},
      close: async () => {},
    };
  }
  const log = logger.child({ component: 'reporting' });
  const clock = options.clock ?? systemClock;
  const keys = reportingKeys(config.redis.keyPrefix);
  const onError = (err: Error) => log.warn({ err: err.message }, 'reporting: Redis connection error');
  const redis: Redis = connectRedis(options.redisUrl, 'worker', {}, onError);
  const blocking: Redis = connectRedis(options.redisUrl, 'worker', {}, onError);
  const reportingMetrics: ReportingMetrics = {
    send: (reporter, result) => metrics.reporterSends.inc({ reporter, result }),
    botDisabled: (bot, disabled) => metrics.wecomBotDisabled.set({ bot }, disabled ? 1 : 0),
    reporterFailing: (reporter, failing) => metrics.reporterFailing.set({ reporter }, failing ? 1 : 0),
  };
  const alertMetrics: AlertMetrics = { alert: (kind, result) => metrics.alerts.inc({ kind, result }) };
  const links = { pipelineUrl: (id: string, stage?: string) => pipelineUrl(config, id, stage) };
  const health = new ReporterHealth((reporter, failing) =>
    reportingMetrics.reporterFailing(reporter, failing),
  );

  const reporters: Reporter[] = [];
  const gitlabApi =
    options.gitlabApi ??
    (gitlabConfigured(config) ? createGitLabApi(config, 'post commit statuses') : undefined);
  if (gitlabApi !== undefined) {
    reporters.push(
      new GitLabReporter({
        client: new GitLabStatusClient(gitlabApi),
        lastStates: new LastPostedStates(redis, keys),
        links,
        logger: log.child({ reporter: 'gitlab' }),
        metrics: reportingMetrics,
        version: options.gitlabVersion ?? gitlabVersionOf(config),
        pipelineIds: new ExternalPipelineIds(options.store),
      }),
    );
    reporters.push(
      new GitLabDeploymentReporter({
        api: gitlabApi,
        store: options.store,
        logger: log.child({ reporter: 'gitlab-deployments' }),
        metrics: reportingMetrics,
      }),
    );
  }
  const bots = botsFromConfig(config.wecom);
  if (bots.length > 0) {
    reporters.push(
      new WeComReporter({
        bots,
        client: new WeComBotClient(config.wecom.baseUrl),
        window: new SendWindow(redis, keys, WECOM_WINDOW_MS),
        once: new OnceMarks(redis, keys),
        states: new BotStates(
          reportingMetrics,
          bots.map((b) => b.name),
        ),
        mentions: config.wecom.mentions,
        pipelineUrl: links.pipelineUrl,
        logs: options.logs,
        logTailLines: config.reporting.logTailLines,
        ...(options.imageTag === undefined ? {} : { imageTag: options.imageTag }),
        clock,
        logger: log.child({ reporter: 'wecom' }),
        metrics: reportingMetrics,
      }),
    );
  }

  const closing = new AbortController();
  const queue = new OutboxQueue(redis, keys);
  const sink = new RateLimitedAlertSink({
    gate: new AlertGate(redis, keys, config.alerts.interval),
    channel: new WeComAlertChannel({
      queue,
      bots,
      alertBots: config.alerts.bots,
      wake: () => outbox.wake('wecom'),
    }),
    logger: log,
    metrics: alertMetrics,
    pipelineUrl: (id) => pipelineUrl(config, id),
    signal: closing.signal,
  });
  const outbox = new ReportOutbox({
    redis,
    blocking,
    keys,
    queue,
    store: options.store,
    reporters,
    clock,
    logger: log,
    health,
    concurrency: config.reporting.concurrency,
    backoff: { initialMs: config.reporting.retryInitial, maxMs: config.reporting.retryMax },
    leaseTtlMs: options.leaseTtlMs ?? config.reporting.leaseTtl,
    whileLeading: [
      (stop) =>
        watchReporterFailures(
          {
            troubles: () => health.troubles(),
            alerts: sink,
            afterMs: config.alerts.reporterFailingAfter,
            now: () => clock.now(),
          },
          stop,
        ),
    ],
  });

  return {
    alerts: sink,
    observer: new QueueWaitObserver(sink, config.alerts.queueWaitSlo),
    outbox,
    reporters: reporters.map((r) => r.name),
    async start() {
      await outbox.start();
      log.info({ reporters: reporters.map((r) => r.name) }, 'reporting started');
    },
    async close() {
      await sink.settle();
      closing.abort();
      await outbox.close();
      await Promise.race([redis.quit().catch(() => undefined), delay(1_000)]);
      redis.disconnect();
      blocking.disconnect();
    },
  };
}

/** The configured GitLab's version, read on first use; unknown (no `skipped`) without a URL. */
function gitlabVersionOf(config: FerryConfig): GitLabVersion {
  const { url, token } = config.gitlab;
  if (url === undefined || token === undefined) {
    return new GitLabVersion(async () => {
      throw new Error('GitLab is not configured');
    });
  }
  return new GitLabVersion(versionReader(url, () => token.reveal(), config.reporting.gitlabTimeout));
}
