import type { FerryConfig, Logger } from '@ferry/shared';
import type { Redis } from 'ioredis';
import type { LogStore } from '../logs/log-store.js';
import type { FerryMetrics } from '../metrics/metrics.js';
import type { PipelineObserver } from '../pipeline/observer.js';
import type { PipelineStore } from '../store/pipeline-store.js';
import { ArchivedLogStore } from './archived-log-store.js';
import { ArchivedPipelineStore } from './archived-pipeline-store.js';
import type { Archival } from './archiver/archival.js';
import { ArchiverThread } from './archiver/archiver-thread.js';
import { composeArchiver } from './archiver/compose-archiver.js';
import type { ArchiverThreadData } from './archiver/thread-protocol.js';
import { AuditTrail } from './audit/audit-trail.js';
import { HistoryMetrics } from './history-metrics.js';
import type { KyselyHistoryStore } from './kysely-history-store.js';
import { DirectoryLogArchive } from './logs/directory-log-archive.js';
import { historyStoreLocation, openHistoryStore } from './open-history-store.js';
import { liveKeys } from './redis/redis-live-keys.js';

export interface BuildHistoryOptions {
  config: FerryConfig;
  logger: Logger;
  redis: Redis;
  /** For the archiver's thread, which opens connections of its own. */
  redisUrl: string;
  live: { store: PipelineStore; logs: LogStore };
  metrics: FerryMetrics;
}

export interface History {
  store: KyselyHistoryStore;
  /** The pipeline store over both Redis and the archive. */
  pipelines: ArchivedPipelineStore;
  /** Stage logs over both Redis and the archive. */
  logs: ArchivedLogStore;
  /** The archiver, in a thread of its own (inline only for an in-memory SQLite archive). */
  archiver: Archival;
  audit: AuditTrail;
  /** Wakes the archiver as pipelines end, so they move once `history.archiveAfter` has passed. */
  observer: PipelineObserver;
  close(): Promise<void>;
}

/** Wires the archive: its database, the stores that read through to it, and the archiver. */
export function buildHistory(options: BuildHistoryOptions): History {
  const { config, logger, redis } = options;
  const keys = liveKeys(config.redis.keyPrefix);
  const location = historyStoreLocation(config);
  const store = openHistoryStore(location, logger);
  const dir =
    config.history.logsDir === undefined ? undefined : new DirectoryLogArchive(config.history.logsDir);
  const pipelines = new ArchivedPipelineStore(options.live.store, redis, keys, store, logger);
  const logs = new ArchivedLogStore({
    live: options.live.logs,
    redis,
    keys,
    history: store,
    archives: dir === undefined ? { db: store } : { db: store, dir },
  });
  const metrics = new HistoryMetrics(options.metrics.registry);
  const archiverLogger = logger.child({ component: 'archive' });
  const settings = {
    archiveAfterMs: config.history.archiveAfter,
    intervalMs: config.history.interval,
    batch: config.history.batch,
    concurrency: config.history.concurrency,
    eventsRetentionMs: config.history.eventsRetention,
    eventsMaxLength: config.history.eventsMaxLength,
    reportingRuns: config.reporting.enabled,
    retention: {
      default: config.history.retention.default,
      environments: config.history.retention.environments,
      intervalMs: config.history.retention.interval,
    },
  };
  // An in-memory SQLite database exists only on its own connection: a thread could not share it.
  const inline = location.kind === 'sqlite' && location.file === ':memory:';
  const data: ArchiverThreadData = {
    ...settings,
    redisUrl: options.redisUrl,
    keyPrefix: config.redis.keyPrefix,
    dedupTtlSeconds: Math.ceil(config.history.dedupTtl / 1000),
    store: location,
    ...(config.history.logsDir === undefined ? {} : { logsDir: config.history.logsDir }),
    logLevel: logger.level,
  };
  const archiver: Archival = inline
    ? composeArchiver({
        settings,
        redis,
        keyPrefix: config.redis.keyPrefix,
        live: options.live.store,
        store,
        dir,
        metrics,
        logger: archiverLogger,
      })
    : new ArchiverThread(data, metrics, archiverLogger);
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
