import type { PipelineRecord, PipelineStatus } from '@ferry/shared';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { PipelineObserver } from '../pipeline/observer.js';

export type WebhookResult =
  | 'created'
  | 'duplicate'
  | 'replayed'
  | 'ignored'
  | 'unauthorized'
  | 'invalid'
  | 'unavailable';

export interface MetricsSources {
  queueDepth(): Promise<Record<string, number>>;
  pipelinesByStatus(): Promise<Record<PipelineStatus, number>>;
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

  constructor(sources?: MetricsSources, options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false)
      collectDefaultMetrics({ register: this.registry, prefix: 'ferry_process_' });
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
      new Gauge({
        name: 'ferry_queue_jobs',
        help: 'Jobs in the pipeline queue, by state',
        labelNames: ['state'],
        registers: [this.registry],
        async collect() {
          for (const [state, n] of Object.entries(await sources.queueDepth())) this.set({ state }, n);
        },
      });
      new Gauge({
        name: 'ferry_pipelines',
        help: 'Pipelines not yet finished, by status',
        labelNames: ['status'],
        registers: [this.registry],
        async collect() {
          for (const [status, n] of Object.entries(await sources.pipelinesByStatus()))
            this.set({ status }, n);
        },
      });
    }
  }

  started(pipeline: PipelineRecord, at: Date): void {
    const waited = (at.getTime() - Date.parse(pipeline.queuedAt)) / 1000;
    if (Number.isFinite(waited))
      this.queueWait.observe({ environment: pipeline.environment }, Math.max(0, waited));
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
