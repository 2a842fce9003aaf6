import { setTimeout as delay } from 'node:timers/promises';
import type { AlertSink } from './alert-sink.js';

/** A reporter in trouble, as the outbox's health tracking says. */
export interface ReporterTroubleView {
  reporter: string;
  /** Failing since (ms since the epoch). */
  since: number;
  lastError: string;
}

export interface ReporterFailureMonitorOptions {
  troubles(): ReporterTroubleView[];
  alerts: AlertSink;
  /** Alert once a reporter has been failing this long. */
  afterMs: number;
  /** How often to look (default a tenth of afterMs, between 1 s and 30 s). */
  everyMs?: number;
  now?: () => number;
}

/** Watches reporter health and raises `reporterFailing` for those failing longer than allowed. */
export async function watchReporterFailures(
  options: ReporterFailureMonitorOptions,
  stop: AbortSignal,
): Promise<void> {
  const every = options.everyMs ?? Math.min(30_000, Math.max(1_000, options.afterMs / 10));
  const now = options.now ?? Date.now;
  while (!stop.aborted) {
    for (const trouble of options.troubles()) {
      if (now() - trouble.since >= options.afterMs) {
        options.alerts.reporterFailing(trouble.reporter, new Date(trouble.since), trouble.lastError);
      }
    }
    await delay(every, undefined, { signal: stop }).catch(() => {});
  }
}
