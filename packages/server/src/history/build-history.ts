import type { FerryConfig, Logger } from '@ferry/shared';
import type { Redis } from 'ioredis';
import type { LogStore } from '../logs/log-store.js';
import type { FerryMetrics } from '../metrics/metrics.js';
import type { PipelineObserver } from '../pipeline/observer.js';
import type { PipelineStore } from '../store/pipeline-store.js';
import { ArchivedLogStore } from './archived-log-store.js';
import { ArchivedPipelineStore } from './archived-pipeline-store.js';
import { Archiver } from './archiver/archiver.js';
import { AuditTrail } from './audit/audit-trail.js';
import { HistoryMetrics } from './history-metrics.js';
import type { LogArchive } from './history-store.js';
import type { KyselyHistoryStore } from './kysely-history-store.js';
import { DirectoryLogArchive } from './logs/directory-log-archive.js';
import { PostgresHistoryStore } from './postgres/postgres-history-store.js';
import { liveKeys } from './redis/redis-live-keys.js';
import { RedisLiveSource } from './redis/redis-live-source.js';
import { SqliteHistoryStore } from './sqlite/sqlite-history-store.js';

/** The archive database `history.kind` names. Opening never connects: the first query does. */
export function openHistoryStore(config: FerryConfig, logger: Logger): KyselyHistoryStore {
  const { history } = config;
  if (history.kind === 'postgres') {
    const url = history.postgres.url;
    if (url === undefined) throw new TypeError('history.postgres.url is required with history.kind postgres');
    return new PostgresHistoryStore({ url: url.reveal(), logger });
  }
  return new SqliteHistoryStore(history.sqlite.file);
}

export interface BuildHistoryOptions {
  config: FerryConfig;
  logger: Logger;
  redis: Redis;
  live: { store: PipelineStore; logs: LogStore };
  metrics: FerryMetrics;
}

export interface History {
  store: KyselyHistoryStore;
  /** The pipeline store over both Redis and the archive. */
  pipelines: ArchivedPipelineStore;
  /** Stage logs over both Redis and the archive. */
  logs: ArchivedLogStore;
  archiver: Archiver;
  audit: AuditTrail;
  /** Wakes the archiver as pipelines end, so they move once `history.archiveAfter` has passed. */
  observer: PipelineObserver;
  close(): Promise<void>;
}

/** Wires the archive: its database, the stores that read through to it, and the archiver. */
export function buildHistory(options: BuildHistoryOptions): History {
  const { config, logger, redis } = options;
  const keys = liveKeys(config.redis.keyPrefix);
  const store = openHistoryStore(config, logger);
  const dir =
    config.history.logsDir === undefined ? undefined : new DirectoryLogArchive(config.history.logsDir);
  const archives: LogArchive[] = dir === undefined ? [store] : [store, dir];
  const pipelines = new ArchivedPipelineStore(options.live.store, redis, keys, store, logger);
  const logs = new ArchivedLogStore({
    live: options.live.logs,
    redis,
    keys,
    history: store,
    archives: dir === undefined ? { db: store } : { db: store, dir },
  });
  const archiver = new Archiver({
    source: new RedisLiveSource(redis, keys, options.live.store),
    history: store,
    logs: { archive: dir ?? store, location: dir === undefined ? 'db' : 'dir', all: archives },
    lease: { redis, key: keys.archiverLease },
    metrics: new HistoryMetrics(options.metrics.registry),
    logger: logger.child({ component: 'archive' }),
    archiveAfterMs: config.history.archiveAfter,
    intervalMs: config.history.interval,
    batch: config.history.batch,
    concurrency: config.history.concurrency,
    eventsRetentionMs: config.history.eventsRetention,
    reportingRuns: config.reporting.enabled,
    retention: {
      default: config.history.retention.default,
      environments: config.history.retention.environments,
      intervalMs: config.history.retention.interval,
    },
  });
  return {
    store,
    pipelines,
    logs,
    archiver,
    audit: new AuditTrail(options.live.store, store, logger),
    observer: { started() {}, stageFinished() {}, finished: () => archiver.pipelineFinished() },
    async close() {
      await archiver.close();
      await store.close();
    },
  };
}
