import type { LogChunk, LogLine, PipelineRecord } from '@ferry/shared';
import type { PipelineFilter } from '../store/pipeline-store.js';
import type { DeploymentEntry, DeploymentQuery } from './audit/deployment-entry.js';
import type { LogChunkRow } from './logs/chunk-codec.js';

/** A finished pipeline on its way to the archive, with its place in the list order. */
export interface ArchivedPipeline {
  record: PipelineRecord;
  /** Redis's admission sequence (the list order and cursor). */
  seq: number;
}

/** One Redis stream entry of a stage log: its id (the log cursor) and its lines. */
export type LogEntry = readonly [id: string, lines: LogLine[]];

/**
 * The same entry as Redis holds it: its JSON text unparsed (runs, `LogRun[]`, or lines of the older
 * form, `LogLine[]`), so archival copies bytes instead of parsing and stringifying every line.
 */
export type RawLogEntry = readonly [id: string, linesJson: Buffer];

/** What a stage log's reader needs besides its lines: the head…tail marker and its size. */
export interface StageLogFacts {
  lines: number;
  droppedBytes: number;
  /** The last line of the head, after which the middle was dropped. */
  droppedAfter?: number;
}

/** Where an archived log sits and what its archival cost. */
export interface ArchivedLogInfo extends StageLogFacts {
  rawBytes: number;
  storedBytes: number;
  location: 'db' | 'dir';
}

/** What the retention job deletes: everything of `environment` that finished before the cut-offs. */
export interface RetentionCut {
  /** One environment; absent: every environment not in `except`. */
  environment?: string;
  except?: readonly string[];
  recordsBefore: string;
  logsBefore: string;
}

export interface RetentionResult {
  pipelines: number;
  logs: number;
}

/** Archived stage logs: compressed, read a chunk at a time with the same cursors as live ones. */
export interface LogArchive {
  /**
   * Stores a complete log from its entries (read lazily, oldest first); a repeated put of the same
   * stage replaces it. Returns what it stored.
   */
  putLog(
    pipelineId: string,
    stage: string,
    facts: StageLogFacts,
    entries: AsyncIterable<RawLogEntry>,
    signal?: AbortSignal,
  ): Promise<{ rawBytes: number; storedBytes: number }>;
  /** Lines after `cursor` ('-' from the start), at least `limit` unless the log ends; undefined: no such log. */
  readLog(pipelineId: string, stage: string, cursor: string, limit: number): Promise<LogChunk | undefined>;
  deleteLogs(pipelineIds: readonly string[]): Promise<void>;
}

/** A stage log ready for the archive: its facts, and its compressed chunks when the database holds it. */
export interface ArchiveMoveLog {
  stage: string;
  info: ArchivedLogInfo;
  /** Empty when the log went to a logs directory (`info.location` `dir`). */
  chunks: readonly LogChunkRow[];
}

/** A finished pipeline ready for the archive: its record and its stage logs. */
export interface ArchiveMove {
  pipeline: ArchivedPipeline;
  logs: readonly ArchiveMoveLog[];
}

/**
 * The archive of finished pipelines: SQLite (embedded) or PostgreSQL (production), one schema,
 * migrated at start. Every write is idempotent, so a move from Redis repeated after a crash neither
 * loses nor duplicates a pipeline. Implementations pass test/history/conformance.ts.
 */
export interface HistoryStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Runs pending migrations (once; again after a failure). Every other method waits for it. */
  migrate(): Promise<void>;
  /** Records (or replaces) a finished pipeline and its audit entry. */
  putPipeline(pipeline: ArchivedPipeline): Promise<void>;
  /**
   * Records (or replaces) several pipelines with their logs in one transaction: all or none. A log
   * given replaces whatever the archive held of that stage (chunks of an earlier, interrupted move).
   */
  putMoves(moves: readonly ArchiveMove[]): Promise<void>;
  /** Records an archived log's facts (after its lines are stored, see LogArchive). */
  putLogInfo(pipeline: PipelineRecord, stage: string, info: ArchivedLogInfo): Promise<void>;
  logInfo(pipelineId: string, stage: string): Promise<ArchivedLogInfo | undefined>;
  has(id: string): Promise<boolean>;
  get(id: string): Promise<PipelineRecord | undefined>;
  /** Newest first (by seq), strictly before `beforeSeq`; records without `manifests`. */
  list(filter: PipelineFilter, limit: number, beforeSeq?: number): Promise<ArchivedPipeline[]>;
  deployments(query: DeploymentQuery): Promise<DeploymentEntry[]>;
  /** Deletes what finished before the cut-offs; the ids whose logs went are returned for the log archive. */
  deleteExpired(cut: RetentionCut): Promise<RetentionResult & { logPipelineIds: string[] }>;
  /** Bytes the archive takes on disk (database files or relation sizes). */
  sizeBytes(): Promise<number>;
  close(): Promise<void>;
}
