import { ferryVersion, type PipelineRecord, type PipelineStatus, type StageRecord } from '@ferry/shared';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { PipelineObserver } from '../pipeline/observer.js';
import { REDIS_PROBE_TIMEOUT_MS, withTimeout } from '../redis/ping-redis.js';
import { buildCommit } from './build-commit.js';

export type WebhookResult =
  | 'created'
  | 'duplicate'
  | 'replayed'
  | 'ignored'
  | 'annotated'
  | 'noted'
  | 'unauthorized'
  | 'invalid'
  | 'unavailable'
  | 'failed';

export interface MetricsSources {
  queueDepth(): Promise<Record<string, number>>;
  pipelinesByStatus(): Promise<Record<PipelineStatus, number>>;
  /** Resolves when Ferry's Redis answers a PING within the probe timeout, rejects otherwise. */
  pingRedis(): Promise<void>;
}

export interface FerryMetricsOptions {
  /** The process and Node.js metrics under their standard names (off in tests that build many). */
  defaultMetrics?: boolean;
  /** The executor kind stages run on (`executor.kind`): the stage duration's `executor` label. */
  executor?: string;
  /** What `ferry_build_info` says; by default the package version and the build's commit. */
  build?: { version: string; commit: string };
}

/** Ferry's Prometheus metrics. The queue wait (merge → start) is the SLO that matters. */
export class FerryMetrics implements PipelineObserver {
  readonly registry = new Registry();
  readonly webhooks: Counter<'result'>;
  readonly pipelinesFinished: Counter<'status' | 'environment'>;
  readonly queueWait: Histogram<'environment'>;
  readonly pipelineDuration: Histogram<'status' | 'environment'>;
  /** Reporting: each send attempt to GitLab or WeCom, by reporter and result. */
  readonly reporterSends: Counter<'reporter' | 'result'>;
  /** Reporting: 1 while a reporter has been failing since its last success. */
  readonly reporterFailing: Gauge<'reporter'>;
  /** Reporting: 1 for a WeCom bot Ferry stopped sending to (its key was refused, 93000). */
  readonly wecomBotDisabled: Gauge<'bot'>;
  /** Alerts raised, by kind and result (sent, suppressed by the rate limit, failed). */
  readonly alerts: Counter<'kind' | 'result'>;
  /** HTTP requests answered, by method, route pattern (never the raw URL) and status code. */
  readonly httpRequests: Counter<'method' | 'route' | 'status_code'>;
  /** Time to answer an HTTP request, by method and route pattern. */
  readonly httpDuration: Histogram<'method' | 'route'>;
  /** A stage run's time from its start to its end, by stage, executor and final status. */
  readonly stageDuration: Histogram<'stage' | 'executor' | 'status'>;
  readonly #executor: string;

  constructor(sources?: MetricsSources, options: FerryMetricsOptions = {}) {
    this.#executor = options.executor ?? 'unknown';
    // No prefix: `process_cpu_seconds_total`, `nodejs_heap_size_used_bytes`… as stock dashboards expect.
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    const build = options.build ?? { version: ferryVersion, commit: buildCommit() };
    new Gauge({
      name: 'ferry_build_info',
      help: 'The running Ferry: its version and the commit it was built from (always 1)',
      labelNames: ['version', 'commit'],
      registers: [this.registry],
    }).set(build, 1);
    this.httpRequests = new Counter({
      name: 'ferry_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status code (event streams are not counted)',
      labelNames: ['method', 'route', 'status_code'],
      registers: [this.registry],
    });
    this.httpDuration = new Histogram({
      name: 'ferry_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method and route pattern',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.stageDuration = new Histogram({
      name: 'ferry_stage_duration_seconds',
      help: 'Time a stage ran, from its start to its end, by stage, executor and final status',
      labelNames: ['stage', 'executor', 'status'],
      buckets: [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600],
      registers: [this.registry],
    });
    this.webhooks = new Counter({
      name: 'ferry_webhooks_total',
      help: 'GitLab webhooks received, by result',
      labelNames: ['result'],
      registers: [this.registry],
    });
    this.pipelinesFinished = new Counter({
      name: 'ferry_pipelines_finished_total',
      help: 'Pipelines that reached a terminal state, by status',
      labelNames: ['status', 'environment'],
      registers: [this.registry],
    });
    this.queueWait = new Histogram({
      name: 'ferry_queue_wait_seconds',
      help: 'Time from a pipeline being queued (merge accepted) to its start',
      labelNames: ['environment'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900],
      registers: [this.registry],
    });
    this.pipelineDuration = new Histogram({
      name: 'ferry_pipeline_duration_seconds',
      help: 'Time from a pipeline start to its end, by final status',
      labelNames: ['status', 'environment'],
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600],
      registers: [this.registry],
    });
    this.reporterSends = new Counter({
      name: 'ferry_reporter_sends_total',
      help: 'Reports sent to GitLab and WeCom, by reporter and result (sent, skipped, duplicate, retry, rejected, rate_limited, bad_key, dropped)',
      labelNames: ['reporter', 'result'],
      registers: [this.registry],
    });
    this.reporterFailing = new Gauge({
      name: 'ferry_reporter_failing',
      help: 'Whether a reporter has been failing since its last success (1) or not (0)',
      labelNames: ['reporter'],
      registers: [this.registry],
    });
    this.wecomBotDisabled = new Gauge({
      name: 'ferry_wecom_bot_disabled',
      help: 'WeCom bots Ferry stopped sending to because WeCom refused their key (93000): 1',
      labelNames: ['bot'],
      registers: [this.registry],
    });
    this.alerts = new Counter({
      name: 'ferry_alerts_total',
      help: 'Operational alerts, by kind and result (sent, suppressed, failed)',
      labelNames: ['kind', 'result'],
      registers: [this.registry],
    });
    if (sources !== undefined) {
      // Scraped while Redis is away too: `ferry_redis_up` says 0 and the gauges read from Redis
      // are left out of that scrape (no stale values), instead of the scrape hanging or failing.
      new Gauge({
        name: 'ferry_redis_up',
        help: 'Whether this Ferry process reaches its Redis: 1 when a PING is answered within 1 s, 0 otherwise',
        registers: [this.registry],
        async collect() {
          this.set(
            await sources.pingRedis().then(
              () => 1,
              () => 0,
            ),
          );
        },
      });
      new Gauge({
        name: 'ferry_queue_jobs',
        help: 'Jobs in the pipeline queue, by state',
        labelNames: ['state'],
        registers: [this.registry],
        async collect() {
          this.reset();
          const depth = await fromRedis(sources.queueDepth());
          for (const [state, n] of Object.entries(depth ?? {})) this.set({ state }, n);
        },
      });
      new Gauge({
        name: 'ferry_pipelines',
        help: 'Pipelines not yet finished, by status',
        labelNames: ['status'],
        registers: [this.registry],
        async collect() {
          this.reset();
          const counts = await fromRedis(sources.pipelinesByStatus());
          for (const [status, n] of Object.entries(counts ?? {})) this.set({ status }, n);
        },
      });
    }
  }

  started(pipeline: PipelineRecord, at: Date): void {
    const waited = (at.getTime() - Date.parse(pipeline.queuedAt)) / 1000;
    if (Number.isFinite(waited))
      this.queueWait.observe({ environment: pipeline.environment }, Math.max(0, waited));
  }

  stageFinished(_pipeline: PipelineRecord, stage: StageRecord): void {
    if (stage.startedAt === undefined || stage.finishedAt === undefined) return;
    const seconds = (Date.parse(stage.finishedAt) - Date.parse(stage.startedAt)) / 1000;
    if (Number.isFinite(seconds)) {
      this.stageDuration.observe(
        { stage: stage.name, executor: this.#executor, status: stage.status },
        Math.max(0, seconds),
      );
    }
  }

  finished(pipeline: PipelineRecord): void {
    this.pipelinesFinished.inc({ status: pipeline.status, environment: pipeline.environment });
    if (pipeline.startedAt !== undefined && pipeline.finishedAt !== undefined) {
      const seconds = (Date.parse(pipeline.finishedAt) - Date.parse(pipeline.startedAt)) / 1000;
      if (Number.isFinite(seconds)) {
        this.pipelineDuration.observe(
          { status: pipeline.status, environment: pipeline.environment },
          seconds,
        );
      }
    }
  }
}

/** A value read from Redis for a scrape, or undefined when Redis does not answer in time. */
function fromRedis<T>(read: Promise<T>): Promise<T | undefined> {
  return withTimeout(read, REDIS_PROBE_TIMEOUT_MS).catch(() => undefined);
}
