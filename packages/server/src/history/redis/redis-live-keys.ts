import { storeKeys } from '../../store/redis/keys.js';

/** The Redis keys the archiver reads and removes: the store's, a stage log's, reporting's cursor. */
export function liveKeys(prefix: string) {
  return {
    ...storeKeys(prefix),
    log: (pipelineId: string, stage: string) => `${prefix}:log:${pipelineId}:${stage}`,
    logMeta: (pipelineId: string, stage: string) => `${prefix}:log:${pipelineId}:${stage}:meta`,
    reportingCursor: `${prefix}:reporting:cursor`,
    archiverLease: `${prefix}:history:lease`,
  };
}

export type LiveKeys = ReturnType<typeof liveKeys>;
