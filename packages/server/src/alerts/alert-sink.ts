import type { PipelineRecord, StageName } from '@ferry/shared';

/** What an executor knows about a runner that does not start. */
export interface RunnerPendingDetails {
  /** How long it has been pending. */
  pendingMs: number;
  /** Why, if known: the scheduler's message, an image pull error, a quota refusal. */
  reason?: string;
  /** Recent events about the runner (e.g. pod events), oldest first. */
  events?: string[];
  /** The runner's name (pod or container). */
  runner?: string;
}

/**
 * Operational alerts. Each method returns at once and never throws: the alert is rate-limited
 * (the same kind and subject at most once per `alerts.interval`, across replicas), logged, counted
 * and queued for the WeCom bots.
 */
export interface AlertSink {
  /** A runner (pod) of `stage` has been pending too long. Executors call this. */
  runnerPendingTooLong(pipeline: PipelineRecord, stage: StageName, details: RunnerPendingDetails): void;
  /** A reporter has been failing since `since`. */
  reporterFailing(reporter: string, since: Date, lastError: string): void;
  /** A pipeline waited `waitedMs` from its merge to its start, over the SLO. */
  queueWaitOverSlo(pipeline: PipelineRecord, waitedMs: number, sloMs: number): void;
}

/** Alerts nowhere (tests, or reporting disabled). */
export const nullAlertSink: AlertSink = {
  runnerPendingTooLong() {},
  reporterFailing() {},
  queueWaitOverSlo() {},
};
