import type { ArchiveMetrics, HistoryMetrics } from '../history-metrics.js';
import type { HistoryStoreLocation } from '../open-history-store.js';
import type { ArchiverSettings } from './archiver.js';

/**
 * What the archiver's thread is started with: plain data (a worker thread receives a structured
 * clone, so no Secret objects and no connections). The PostgreSQL URL is a secret: it stays in this
 * process's memory, never in an environment variable, a command line or a log.
 */
export interface ArchiverThreadData extends ArchiverSettings {
  redisUrl: string;
  keyPrefix: string;
  dedupTtlSeconds: number;
  store: HistoryStoreLocation;
  logsDir?: string;
  /** The host logger's level (pino). */
  logLevel: string;
  /** The archiver lease's owner, the same for every start of one ArchiverThread (see ArchiverOptions). */
  leaseOwner?: string;
}

/** Host → thread. */
export type ToArchiverThread =
  | { type: 'cycle'; id: number }
  | { type: 'pipeline-finished' }
  | { type: 'close' };

/** A counter increment or a gauge value, as the Archiver made it in its thread. */
export type MetricUpdate =
  | { metric: 'archived' | 'failures' | 'eventsTrimmed'; op: 'inc'; value: number }
  | { metric: 'backlog' | 'lagSeconds' | 'sizeBytes'; op: 'set'; value: number }
  | { metric: 'deleted'; op: 'inc'; value: number; labels: { what: string; environment: string } };

/** An error as it crosses the thread boundary (a structured clone keeps no `code`). */
export interface ThreadError {
  name: string;
  message: string;
  code?: string;
  status?: number;
}

/** Thread → host. Messages keep their order: a cycle's metric updates arrive before its result. */
export type FromArchiverThread =
  | { type: 'metric'; update: MetricUpdate }
  | { type: 'cycle-done'; id: number; archived: number; backlog: number }
  | { type: 'cycle-failed'; id: number; error: ThreadError }
  | { type: 'closed' };

/** The Archiver's metrics inside its thread: every update is posted to the host's registry. */
export function relayedMetrics(post: (update: MetricUpdate) => void): ArchiveMetrics {
  return {
    archived: { inc: (value = 1) => post({ metric: 'archived', op: 'inc', value }) },
    failures: { inc: (value = 1) => post({ metric: 'failures', op: 'inc', value }) },
    eventsTrimmed: { inc: (value = 1) => post({ metric: 'eventsTrimmed', op: 'inc', value }) },
    backlog: { set: (value) => post({ metric: 'backlog', op: 'set', value }) },
    lagSeconds: { set: (value) => post({ metric: 'lagSeconds', op: 'set', value }) },
    sizeBytes: { set: (value) => post({ metric: 'sizeBytes', op: 'set', value }) },
    deleted: { inc: (labels, value = 1) => post({ metric: 'deleted', op: 'inc', value, labels }) },
  };
}

/** Applies an update from the thread to the host's metrics. */
export function applyMetricUpdate(metrics: HistoryMetrics, update: MetricUpdate): void {
  switch (update.metric) {
    case 'deleted':
      metrics.deleted.inc(update.labels, update.value);
      return;
    case 'archived':
    case 'failures':
    case 'eventsTrimmed':
      metrics[update.metric].inc(update.value);
      return;
    default:
      metrics[update.metric].set(update.value);
  }
}

export function toThreadError(err: unknown): ThreadError {
  const e = err instanceof Error ? err : new Error(String(err));
  const { code, status } = e as Error & { code?: unknown; status?: unknown };
  return {
    name: e.name,
    message: e.message,
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof status === 'number' ? { status } : {}),
  };
}
