import type { Redis } from 'ioredis';
import type { LogChunk, LogStore, StageLogWriter } from '../logs/log-store.js';
import type { HistoryStore, LogArchive } from './history-store.js';
import type { LiveKeys } from './redis/redis-live-keys.js';

export interface ArchivedLogStoreOptions {
  live: LogStore;
  redis: Redis;
  keys: LiveKeys;
  history: HistoryStore;
  /** Where archived lines are: the archive database, or a logs directory. */
  archives: { db: LogArchive; dir?: LogArchive };
}

/**
 * Stage logs wherever they are: live ones in Redis, archived ones (compressed) in the archive, read
 * through the same cursors, so a follower that started on Redis goes on from the archive when the
 * log moves under it. Writers always write to Redis.
 */
export class ArchivedLogStore implements LogStore {
  readonly #o: ArchivedLogStoreOptions;

  constructor(options: ArchivedLogStoreOptions) {
    this.#o = options;
  }

  writer(pipelineId: string, stage: string): StageLogWriter {
    return this.#o.live.writer(pipelineId, stage);
  }

  async read(pipelineId: string, stage: string, cursor = '-', limit = 10_000): Promise<LogChunk> {
    const { redis, keys, live } = this.#o;
    if ((await redis.exists(keys.log(pipelineId, stage), keys.logMeta(pipelineId, stage))) > 0) {
      return live.read(pipelineId, stage, cursor, limit);
    }
    const archived = await this.#readArchived(pipelineId, stage, cursor, limit);
    // Neither: a stage that has not written yet (or whose log expired): an empty, open page.
    return archived ?? live.read(pipelineId, stage, cursor, limit);
  }

  async #readArchived(pipelineId: string, stage: string, cursor: string, limit: number) {
    const info = await this.#o.history.logInfo(pipelineId, stage);
    if (info === undefined) return undefined;
    const archive = info.location === 'dir' ? this.#o.archives.dir : this.#o.archives.db;
    const chunk = await archive?.readLog(pipelineId, stage, cursor, limit);
    if (chunk === undefined) return undefined;
    const out: LogChunk = { ...chunk, droppedBytes: info.droppedBytes };
    if (info.droppedAfter !== undefined) out.droppedAfter = info.droppedAfter;
    return out;
  }
}
