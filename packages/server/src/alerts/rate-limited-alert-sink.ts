import { setTimeout as delay } from 'node:timers/promises';
import type { Logger, PipelineRecord, StageName } from '@ferry/shared';
import type { Alert, AlertPipeline } from './alert.js';
import type { AlertChannel } from './alert-channel.js';
import type { AlertGate } from './alert-gate.js';
import type { AlertMetrics } from './alert-metrics.js';
import type { AlertSink, RunnerPendingDetails } from './alert-sink.js';

/** The fields of an alert every kind shares, filled in by the sink. */
type Raised = Alert extends infer A ? (A extends Alert ? Omit<A, 'at' | 'suppressed'> : never) : never;

export interface RateLimitedAlertSinkOptions {
  gate: AlertGate;
  channel: AlertChannel;
  logger: Logger;
  metrics: AlertMetrics;
  pipelineUrl(pipelineId: string): string;
  /** Ends alerts still being queued at shutdown. */
  signal: AbortSignal;
  now?: () => Date;
}

/**
 * The AlertSink: every alert is logged (warn) and counted; the same kind and subject reaches the
 * channel at most once per interval (the gate), carrying how many were held back meanwhile.
 * Callers never wait and never see an error.
 */
export class RateLimitedAlertSink implements AlertSink {
  readonly #o: RateLimitedAlertSinkOptions;
  readonly #pending = new Set<Promise<void>>();

  constructor(options: RateLimitedAlertSinkOptions) {
    this.#o = options;
  }

  runnerPendingTooLong(pipeline: PipelineRecord, stage: StageName, details: RunnerPendingDetails): void {
    const alert: Raised = {
      kind: 'runner_pending',
      subject: `${pipeline.project.id}:${pipeline.environment}:${stage}`,
      pipeline: this.#pipeline(pipeline),
      stage,
      pendingMs: details.pendingMs,
    };
    if (details.reason !== undefined) alert.reason = details.reason;
    if (details.events !== undefined) alert.events = details.events.slice(-10);
    if (details.runner !== undefined) alert.runner = details.runner;
    this.#raise(alert);
  }

  reporterFailing(reporter: string, since: Date, lastError: string): void {
    const failingMs = Math.max(0, this.#now().getTime() - since.getTime());
    this.#raise({ kind: 'reporter_failing', subject: reporter, reporter, failingMs, lastError });
  }

  queueWaitOverSlo(pipeline: PipelineRecord, waitedMs: number, sloMs: number): void {
    this.#raise({
      kind: 'queue_wait',
      subject: pipeline.environment,
      pipeline: this.#pipeline(pipeline),
      waitedMs,
      sloMs,
    });
  }

  /** Waits (at most `timeoutMs`) for alerts being queued (shutdown). */
  async settle(timeoutMs = 2_000): Promise<void> {
    await Promise.race([Promise.allSettled([...this.#pending]), delay(timeoutMs)]);
  }

  #now(): Date {
    return this.#o.now?.() ?? new Date();
  }

  #pipeline(p: PipelineRecord): AlertPipeline {
    return {
      id: p.id,
      projectId: p.project.id,
      project: p.project.path,
      environment: p.environment,
      ref: p.ref,
      sha: p.sha,
      url: this.#o.pipelineUrl(p.id),
    };
  }

  #raise(raised: Raised): void {
    const { logger, metrics } = this.#o;
    const { kind, subject } = raised;
    logger.warn({ alert: kind, subject, ...describe(raised) }, `alert: ${kind}`);
    const work = (async () => {
      const gate = await this.#o.gate.pass(`${kind}:${subject}`);
      if (!gate.pass) {
        metrics.alert(kind, 'suppressed');
        return;
      }
      const alert = { ...raised, at: this.#now().toISOString(), suppressed: gate.suppressed } as Alert;
      await this.#o.channel.post(alert, this.#o.signal);
      metrics.alert(kind, 'sent');
    })().catch((err: unknown) => {
      metrics.alert(kind, 'failed');
      logger.error({ alert: kind, subject, err: (err as Error).message }, 'alert: could not be queued');
    });
    this.#pending.add(work);
    void work.finally(() => this.#pending.delete(work));
  }
}

function describe(alert: Raised): Record<string, unknown> {
  switch (alert.kind) {
    case 'runner_pending':
      return {
        pipelineId: alert.pipeline.id,
        stage: alert.stage,
        pendingMs: alert.pendingMs,
        reason: alert.reason,
      };
    case 'reporter_failing':
      return { reporter: alert.reporter, failingMs: alert.failingMs, lastError: alert.lastError };
    case 'queue_wait':
      return { pipelineId: alert.pipeline.id, waitedMs: alert.waitedMs, sloMs: alert.sloMs };
  }
}
