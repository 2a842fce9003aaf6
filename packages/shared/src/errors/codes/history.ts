import { defineError } from '../define-error.js';

// The archive of finished pipelines (SQLite or PostgreSQL) and archived logs.

export const HISTORY_UNAVAILABLE = defineError(
  'FERRY_ERR_HISTORY_UNAVAILABLE',
  503,
  'The pipeline archive is unavailable ({reason}); live pipelines are unaffected. Retry later, or check history.* in the configuration.',
);
export const HISTORY_MIGRATION_FAILED = defineError(
  'FERRY_ERR_HISTORY_MIGRATION_FAILED',
  500,
  'The archive database could not be migrated: {reason}. The archive waits and retries; pipelines keep running.',
);
