import type { ColumnType } from 'kysely';

/** A 64-bit integer column: pg hands bigints back as strings, SQLite as numbers. */
type BigInt64 = ColumnType<number | string, number, number>;

/** The archive's tables, as both dialects hold them (migrations/ creates them). */
export interface HistoryDatabase {
  pipelines: PipelinesTable;
  deployments: DeploymentsTable;
  canary_steps: CanaryStepsTable;
  stage_logs: StageLogsTable;
  stage_log_chunks: StageLogChunksTable;
}

export interface PipelinesTable {
  id: string;
  /** Redis's admission sequence: the list order and its cursor, the same in both stores. */
  seq: BigInt64;
  project_id: BigInt64;
  project_path: string;
  environment: string;
  ref: string;
  status: string;
  created_at: string;
  finished_at: string;
  /** The whole PipelineRecord as JSON, manifests included. */
  record: string;
  archived_at: string;
}

/** One row per deploy or rollback a pipeline made (the audit trail), kept as long as its pipeline. */
export interface DeploymentsTable {
  pipeline_id: string;
  project_id: BigInt64;
  project_path: string;
  environment: string;
  kind: string;
  username: string;
  sha: string;
  image_digest: string | null;
  image_reference: string | null;
  at: string;
  outcome: string;
  rolled_back_to: string | null;
}

/** One row per canary promote or abort decided through Ferry (the audit trail's canary steps). */
export interface CanaryStepsTable {
  pipeline_id: string;
  at: string;
  project_id: BigInt64;
  project_path: string;
  environment: string;
  username: string;
  sha: string;
  image_digest: string | null;
  image_reference: string | null;
  /** `promoted` or `aborted`. */
  outcome: string;
  /** `1/3 10%`, when the canary Deployment said. */
  step: string | null;
}

/** A stage log's head…tail facts; its lines are in stage_log_chunks (or the logs directory). */
export interface StageLogsTable {
  pipeline_id: string;
  stage: string;
  environment: string;
  finished_at: string;
  lines: BigInt64;
  dropped_bytes: BigInt64;
  dropped_after: BigInt64 | null;
  raw_bytes: BigInt64;
  stored_bytes: BigInt64;
  /** `db` (chunks below) or `dir` (a file under history.logsDir). */
  location: string;
}

/** Compressed runs of a log's Redis stream entries; the key is the last entry's stream id. */
export interface StageLogChunksTable {
  pipeline_id: string;
  stage: string;
  last_ms: BigInt64;
  last_seq: BigInt64;
  first_ms: BigInt64;
  first_seq: BigInt64;
  /** deflate of JSON `[[entryId, LogRun[]], …]` (`[[entryId, LogLine[]], …]` when archived before runs). */
  data: Buffer;
}
