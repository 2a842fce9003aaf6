import { Counter, Gauge, type Registry } from 'prom-client';

/** What the archiver counts: HistoryMetrics on Ferry's registry, or a relay from its thread. */
export interface ArchiveMetrics {
  archived: { inc(value?: number): void };
  failures: { inc(value?: number): void };
  backlog: { set(value: number): void };
  lagSeconds: { set(value: number): void };
  deleted: { inc(labels: { what: string; environment: string }, value?: number): void };
  eventsTrimmed: { inc(value?: number): void };
  sizeBytes: { set(value: number): void };
}

/** The archive's metrics, on Ferry's registry. */
export class HistoryMetrics implements ArchiveMetrics {
  /** Pipelines moved from Redis to the archive. */
  readonly archived: Counter;
  /** Archival cycles that failed (the archive or Redis unreachable); the next cycle retries. */
  readonly failures: Counter;
  /** Finished pipelines in Redis whose time to move has come (after the last cycle). */
  readonly backlog: Gauge;
  /** How long the oldest of them has waited past `history.archiveAfter`. */
  readonly lagSeconds: Gauge;
  /** What the retention job deleted, by what (pipelines, logs) and environment. */
  readonly deleted: Counter<'what' | 'environment'>;
  /** Event stream entries trimmed once every consumer had read them. */
  readonly eventsTrimmed: Counter;
  /** The archive's size on disk (database; not a logs directory). */
  readonly sizeBytes: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.archived = new Counter({
      name: 'ferry_history_archived_total',
      help: 'Finished pipelines moved from Redis to the archive',
      registers,
    });
    this.failures = new Counter({
      name: 'ferry_history_archive_failures_total',
      help: 'Archival cycles that failed (archive or Redis unreachable); pipelines are unaffected and the next cycle retries',
      registers,
    });
    this.backlog = new Gauge({
      name: 'ferry_history_archive_backlog',
      help: 'Finished pipelines in Redis due to move to the archive, after the last cycle',
      registers,
    });
    this.lagSeconds = new Gauge({
      name: 'ferry_history_archive_lag_seconds',
      help: 'How long the oldest finished pipeline due to move has waited past history.archiveAfter',
      registers,
    });
    this.deleted = new Counter({
      name: 'ferry_history_deleted_total',
      help: 'What the retention job deleted from the archive, by what (pipelines, logs) and environment',
      labelNames: ['what', 'environment'],
      registers,
    });
    this.eventsTrimmed = new Counter({
      name: 'ferry_history_events_trimmed_total',
      help: 'Event stream entries trimmed once every consumer had read them',
      registers,
    });
    this.sizeBytes = new Gauge({
      name: 'ferry_history_size_bytes',
      help: 'The archive database size on disk',
      registers,
    });
  }
}
