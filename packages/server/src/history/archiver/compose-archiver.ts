import type { Logger } from '@ferry/shared';
import type { Redis } from 'ioredis';
import { ArchivedReportingMarks } from '../../reporting/forget-archived.js';
import type { PipelineStore } from '../../store/pipeline-store.js';
import type { ArchiveMetrics } from '../history-metrics.js';
import type { KyselyHistoryStore } from '../kysely-history-store.js';
import type { DirectoryLogArchive } from '../logs/directory-log-archive.js';
import { liveKeys } from '../redis/redis-live-keys.js';
import { RedisLiveSource } from '../redis/redis-live-source.js';
import { Archiver, type ArchiverSettings } from './archiver.js';

export interface ArchiverParts {
  settings: ArchiverSettings;
  redis: Redis;
  keyPrefix: string;
  /** The Redis pipeline store the records are read from. */
  live: PipelineStore;
  store: KyselyHistoryStore;
  /** `history.logsDir`: archived logs go there instead of into the database. */
  dir: DirectoryLogArchive | undefined;
  metrics: ArchiveMetrics;
  logger: Logger;
  /** The archiver lease's owner (see ArchiverOptions.lease); absent: one of its own. */
  leaseOwner?: string;
}

/** The Archiver over its parts: the same wiring in the server's thread and in the archiver's own. */
export function composeArchiver(parts: ArchiverParts): Archiver {
  const { store, dir, redis } = parts;
  const keys = liveKeys(parts.keyPrefix);
  return new Archiver({
    ...parts.settings,
    source: new RedisLiveSource(redis, keys, parts.live, new ArchivedReportingMarks(redis, parts.keyPrefix)),
    history: store,
    logs: {
      archive: dir ?? store,
      location: dir === undefined ? 'db' : 'dir',
      all: dir === undefined ? [store] : [store, dir],
    },
    lease: {
      redis,
      key: keys.archiverLease,
      ...(parts.leaseOwner === undefined ? {} : { owner: parts.leaseOwner }),
    },
    metrics: parts.metrics,
    logger: parts.logger,
  });
}
