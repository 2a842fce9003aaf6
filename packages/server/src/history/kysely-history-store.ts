import { FerryError, HistoryErrors, type LogChunk, type LogLine, type PipelineRecord } from '@ferry/shared';
import { type Kysely, Migrator, type Selectable, sql, type Transaction } from 'kysely';
import type { PipelineFilter } from '../store/pipeline-store.js';
import { assertReadableFormat, PIPELINE_RECORD_FORMAT } from '../store/record-format.js';
import {
  type DeploymentEntry,
  type DeploymentQuery,
  deploymentsOf,
  mergeDeployments,
} from './audit/deployment-entry.js';
import type { CanaryStepsTable, DeploymentsTable, HistoryDatabase } from './database.js';
import type {
  ArchivedLogInfo,
  ArchivedPipeline,
  ArchiveMove,
  ArchiveMoveLog,
  HistoryStore,
  LogArchive,
  RawLogEntry,
  RetentionCut,
  RetentionResult,
  StageLogFacts,
} from './history-store.js';
import { compressEntries, decompressChunk, type LogChunkRow } from './logs/chunk-codec.js';
import { formatStreamId, parseStreamId, streamIdAfter } from './logs/stream-id.js';
import { historyMigrations } from './migrations/index.js';
import type { SqlTypes } from './migrations/sql-dialect.js';
import { pipelineListQuery } from './queries/list-query.js';

/**
 * The archive's queries, written once through Kysely for both databases. The SQLite and PostgreSQL
 * stores (sibling folders) give it a connection, their column types and how to measure the size.
 */
export abstract class KyselyHistoryStore implements HistoryStore, LogArchive {
  abstract readonly kind: 'sqlite' | 'postgres';
  protected readonly db: Kysely<HistoryDatabase>;
  readonly #types: SqlTypes;
  #migrated: Promise<void> | undefined;

  protected constructor(db: Kysely<HistoryDatabase>, types: SqlTypes) {
    this.db = db;
    this.#types = types;
  }

  abstract sizeBytes(): Promise<number>;

  migrate(): Promise<void> {
    this.#migrated ??= this.#runMigrations().catch((err: unknown) => {
      this.#migrated = undefined;
      throw err;
    });
    return this.#migrated;
  }

  async #runMigrations(): Promise<void> {
    // Unreachable first (retried while it lasts), then a schema that will not migrate.
    try {
      await sql`select 1`.execute(this.db);
    } catch (err) {
      throw new FerryError(
        HistoryErrors.HISTORY_UNAVAILABLE,
        { reason: (err as Error).message },
        { cause: err },
      );
    }
    const provider = historyMigrations(this.#types);
    const { error } = await this.withMigrationLock((db) => new Migrator({ db, provider }).migrateToLatest());
    if (error !== undefined) {
      throw new FerryError(HistoryErrors.HISTORY_MIGRATION_FAILED, {
        reason: String((error as Error).message ?? error),
      });
    }
  }

  /**
   * Runs the migrator so that two connections never migrate at once. PostgreSQL: Kysely's migrator
   * takes an advisory lock itself; SQLite overrides this (the server and its archiver thread each
   * hold a connection to the file).
   */
  protected withMigrationLock<T>(run: (db: Kysely<HistoryDatabase>) => Promise<T>): Promise<T> {
    return run(this.db);
  }

  /** Runs `work` once the schema is current; a database that cannot be reached is HISTORY_UNAVAILABLE. */
  protected async ready<T>(work: () => Promise<T>): Promise<T> {
    try {
      await this.migrate();
      return await work();
    } catch (err) {
      if (err instanceof FerryError) throw err;
      throw new FerryError(
        HistoryErrors.HISTORY_UNAVAILABLE,
        { reason: (err as Error).message },
        { cause: err },
      );
    }
  }

  putPipeline(pipeline: ArchivedPipeline): Promise<void> {
    return this.putMoves([{ pipeline, logs: [] }]);
  }

  putMoves(moves: readonly ArchiveMove[]): Promise<void> {
    if (moves.length === 0) return Promise.resolve();
    return this.ready(() =>
      this.db.transaction().execute(async (tx) => {
        for (const move of moves) {
          for (const log of move.logs) await writeLog(tx, move.pipeline.record, log);
          await writePipeline(tx, move.pipeline);
        }
      }),
    );
  }

  has(id: string): Promise<boolean> {
    return this.ready(async () => {
      const row = await this.db.selectFrom('pipelines').select('id').where('id', '=', id).executeTakeFirst();
      return row !== undefined;
    });
  }

  get(id: string): Promise<PipelineRecord | undefined> {
    return this.ready(async () => {
      const row = await this.db
        .selectFrom('pipelines')
        .select('record')
        .where('id', '=', id)
        .executeTakeFirst();
      return row === undefined ? undefined : parseArchivedRecord(row.record);
    });
  }

  list(filter: PipelineFilter, limit: number, beforeSeq?: number): Promise<ArchivedPipeline[]> {
    return this.ready(async () => {
      const rows = await pipelineListQuery(this.db, filter, limit, beforeSeq).execute();
      return rows.map((row) => {
        const { manifests: _, ...record } = parseArchivedRecord(row.record);
        return { seq: Number(row.seq), record: record as PipelineRecord };
      });
    });
  }

  deployments(query: DeploymentQuery): Promise<DeploymentEntry[]> {
    return this.ready(async () => {
      // The same filters on deploys and canary steps; each newest first, merged.
      const filtered = <T extends 'deployments' | 'canary_steps'>(table: T) => {
        let q = this.db.selectFrom(table as 'deployments').selectAll();
        if (query.projectId !== undefined) q = q.where('project_id', '=', query.projectId);
        if (query.projectPath !== undefined) q = q.where('project_path', '=', query.projectPath);
        if (query.environment !== undefined) q = q.where('environment', '=', query.environment);
        if (query.since !== undefined) q = q.where('at', '>=', query.since);
        return q.orderBy('at', 'desc').limit(query.limit);
      };
      const deploys = (await filtered('deployments').execute()).map(entryOfRow);
      const steps = (await filtered('canary_steps').execute()) as unknown as Selectable<CanaryStepsTable>[];
      return mergeDeployments(deploys, steps.map(entryOfCanaryRow), query.limit);
    });
  }

  putLogInfo(pipeline: PipelineRecord, stage: string, info: ArchivedLogInfo): Promise<void> {
    return this.ready(() => writeLogInfo(this.db, pipeline, stage, info));
  }

  logInfo(pipelineId: string, stage: string): Promise<ArchivedLogInfo | undefined> {
    return this.ready(async () => {
      const row = await this.db
        .selectFrom('stage_logs')
        .selectAll()
        .where('pipeline_id', '=', pipelineId)
        .where('stage', '=', stage)
        .executeTakeFirst();
      if (row === undefined) return undefined;
      const info: ArchivedLogInfo = {
        lines: Number(row.lines),
        droppedBytes: Number(row.dropped_bytes),
        rawBytes: Number(row.raw_bytes),
        storedBytes: Number(row.stored_bytes),
        location: row.location === 'dir' ? 'dir' : 'db',
      };
      if (row.dropped_after !== null) info.droppedAfter = Number(row.dropped_after);
      return info;
    });
  }

  putLog(
    pipelineId: string,
    stage: string,
    _facts: StageLogFacts,
    entries: AsyncIterable<RawLogEntry>,
    signal?: AbortSignal,
  ): Promise<{ rawBytes: number; storedBytes: number }> {
    return this.ready(async () => {
      let rawBytes = 0;
      let storedBytes = 0;
      // Chunk boundaries depend only on the (complete) log, so a repeated move rewrites the same rows.
      for await (const chunk of compressEntries(entries)) {
        signal?.throwIfAborted();
        await writeChunks(this.db, pipelineId, stage, [chunk]);
        rawBytes += chunk.rawBytes;
        storedBytes += chunk.data.length;
      }
      return { rawBytes, storedBytes };
    });
  }

  readLog(pipelineId: string, stage: string, cursor: string, limit: number): Promise<LogChunk | undefined> {
    return this.ready(async () => {
      const info = await this.logInfo(pipelineId, stage);
      if (info === undefined) return undefined;
      const lines: LogLine[] = [];
      let position = parseStreamId(cursor);
      let done = false;
      while (lines.length < limit) {
        // Two rows: the next to read, and whether another follows it.
        const rows = await this.db
          .selectFrom('stage_log_chunks')
          .select(['data', 'last_ms', 'last_seq'])
          .where('pipeline_id', '=', pipelineId)
          .where('stage', '=', stage)
          .where((eb) =>
            eb.or([
              eb('last_ms', '>', position.ms),
              eb.and([eb('last_ms', '=', position.ms), eb('last_seq', '>', position.seq)]),
            ]),
          )
          .orderBy('last_ms')
          .orderBy('last_seq')
          .limit(2)
          .execute();
        const row = rows[0];
        if (row === undefined) {
          done = true;
          break;
        }
        for (const [id, batch] of await decompressChunk(row.data)) {
          const at = parseStreamId(id);
          if (!streamIdAfter(at, position)) continue;
          lines.push(...batch);
          position = at;
        }
        if (rows.length < 2) {
          done = true;
          break;
        }
      }
      const chunk: LogChunk = {
        lines,
        cursor: lines.length === 0 && cursor === '-' ? '-' : formatStreamId(position),
        done,
        droppedBytes: info.droppedBytes,
      };
      if (info.droppedAfter !== undefined) chunk.droppedAfter = info.droppedAfter;
      return chunk;
    });
  }

  deleteLogs(pipelineIds: readonly string[]): Promise<void> {
    return this.ready(async () => {
      for (const ids of batches(pipelineIds, 500)) {
        await this.db.deleteFrom('stage_log_chunks').where('pipeline_id', 'in', ids).execute();
      }
    });
  }

  deleteExpired(cut: RetentionCut): Promise<RetentionResult & { logPipelineIds: string[] }> {
    return this.ready(async () => {
      const env = (column: 'environment') =>
        cut.environment !== undefined
          ? sql<boolean>`${sql.ref(column)} = ${cut.environment}`
          : (cut.except ?? []).length > 0
            ? sql<boolean>`${sql.ref(column)} not in (${sql.join([...(cut.except ?? [])])})`
            : sql<boolean>`1 = 1`;
      return this.db.transaction().execute(async (tx) => {
        const expiredRecords = await tx
          .selectFrom('pipelines')
          .select('id')
          .where(env('environment'))
          .where('finished_at', '<', cut.recordsBefore)
          .execute();
        const recordIds = expiredRecords.map((r) => r.id);
        const expiredLogs = await tx
          .selectFrom('stage_logs')
          .select(['pipeline_id', 'stage'])
          .where((eb) =>
            eb.or([
              eb.and([env('environment'), eb('finished_at', '<', cut.logsBefore)]),
              ...(recordIds.length > 0 ? [eb('pipeline_id', 'in', recordIds)] : []),
            ]),
          )
          .execute();
        const logPipelineIds = [...new Set(expiredLogs.map((r) => r.pipeline_id))];
        for (const ids of batches(logPipelineIds, 500)) {
          await tx.deleteFrom('stage_logs').where('pipeline_id', 'in', ids).execute();
        }
        for (const ids of batches(recordIds, 500)) {
          await tx.deleteFrom('deployments').where('pipeline_id', 'in', ids).execute();
          await tx.deleteFrom('canary_steps').where('pipeline_id', 'in', ids).execute();
          await tx.deleteFrom('pipelines').where('id', 'in', ids).execute();
        }
        return { pipelines: recordIds.length, logs: expiredLogs.length, logPipelineIds };
      });
    });
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

type Db = Kysely<HistoryDatabase> | Transaction<HistoryDatabase>;

async function writePipeline(db: Db, { record, seq }: ArchivedPipeline): Promise<void> {
  const row = {
    id: record.id,
    seq,
    project_id: record.project.id,
    project_path: record.project.path,
    environment: record.environment,
    ref: record.ref,
    status: record.status,
    created_at: record.createdAt,
    finished_at: record.finishedAt ?? record.createdAt,
    record: JSON.stringify({ format: PIPELINE_RECORD_FORMAT, ...record }),
    archived_at: new Date().toISOString(),
  };
  const [entry, ...steps] = deploymentsOf(record);
  await db
    .insertInto('pipelines')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet({ ...row, id: undefined }))
    .execute();
  await db.deleteFrom('deployments').where('pipeline_id', '=', record.id).execute();
  await db.deleteFrom('canary_steps').where('pipeline_id', '=', record.id).execute();
  if (entry !== undefined) await db.insertInto('deployments').values(deploymentRow(entry)).execute();
  for (const step of steps) await db.insertInto('canary_steps').values(canaryStepRow(step)).execute();
}

/** A whole stage log: its chunks replace any the archive held (an interrupted earlier move's). */
async function writeLog(db: Db, record: PipelineRecord, log: ArchiveMoveLog): Promise<void> {
  if (log.info.location === 'db') {
    await db
      .deleteFrom('stage_log_chunks')
      .where('pipeline_id', '=', record.id)
      .where('stage', '=', log.stage)
      .execute();
    await writeChunks(db, record.id, log.stage, log.chunks);
  }
  await writeLogInfo(db, record, log.stage, log.info);
}

async function writeChunks(
  db: Db,
  pipelineId: string,
  stage: string,
  chunks: readonly LogChunkRow[],
): Promise<void> {
  for (const chunk of chunks) {
    const row = {
      pipeline_id: pipelineId,
      stage,
      last_ms: chunk.last.ms,
      last_seq: chunk.last.seq,
      first_ms: chunk.first.ms,
      first_seq: chunk.first.seq,
      data: chunk.data,
    };
    await db
      .insertInto('stage_log_chunks')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['pipeline_id', 'stage', 'last_ms', 'last_seq']).doUpdateSet({ data: chunk.data }),
      )
      .execute();
  }
}

async function writeLogInfo(db: Db, pipeline: PipelineRecord, stage: string, info: ArchivedLogInfo) {
  const row = {
    pipeline_id: pipeline.id,
    stage,
    environment: pipeline.environment,
    finished_at: pipeline.finishedAt ?? pipeline.createdAt,
    lines: info.lines,
    dropped_bytes: info.droppedBytes,
    dropped_after: info.droppedAfter ?? null,
    raw_bytes: info.rawBytes,
    stored_bytes: info.storedBytes,
    location: info.location,
  };
  await db
    .insertInto('stage_logs')
    .values(row)
    .onConflict((oc) => oc.columns(['pipeline_id', 'stage']).doUpdateSet(row))
    .execute();
}

/** The columns the deployments and canary_steps tables share, from an entry. */
function auditColumns(entry: DeploymentEntry) {
  return {
    pipeline_id: entry.pipelineId,
    project_id: entry.project.id,
    project_path: entry.project.path,
    environment: entry.environment,
    username: entry.user,
    sha: entry.sha,
    image_digest: entry.imageDigest ?? null,
    image_reference: entry.imageReference ?? null,
    at: entry.at,
    outcome: entry.outcome,
  };
}

/** An entry from the columns both audit tables share. */
function entryOfColumns(
  row: Selectable<DeploymentsTable> | Selectable<CanaryStepsTable>,
  kind: DeploymentEntry['kind'],
): DeploymentEntry {
  const entry: DeploymentEntry = {
    pipelineId: row.pipeline_id,
    project: { id: Number(row.project_id), path: row.project_path },
    environment: row.environment,
    kind,
    user: row.username,
    sha: row.sha,
    at: row.at,
    outcome: row.outcome,
  };
  if (row.image_digest !== null) entry.imageDigest = row.image_digest;
  if (row.image_reference !== null) entry.imageReference = row.image_reference;
  return entry;
}

function canaryStepRow(entry: DeploymentEntry) {
  return { ...auditColumns(entry), step: entry.canaryStep ?? null };
}

function entryOfCanaryRow(row: Selectable<CanaryStepsTable>): DeploymentEntry {
  const entry = entryOfColumns(row, 'canary');
  if (row.step !== null) entry.canaryStep = row.step;
  return entry;
}

function deploymentRow(entry: DeploymentEntry) {
  return { ...auditColumns(entry), kind: entry.kind, rolled_back_to: entry.rolledBackTo ?? null };
}

/** An archived record's JSON (with its `format`, absent in what Ferry 0.1.0 wrote: format 1) as the record. */
function parseArchivedRecord(json: string): PipelineRecord {
  const { format, ...record } = JSON.parse(json) as PipelineRecord & { format?: unknown };
  assertReadableFormat(format, record.id);
  return record;
}

function entryOfRow(row: Selectable<DeploymentsTable>): DeploymentEntry {
  const entry = entryOfColumns(row, row.kind === 'rollback' ? 'rollback' : 'deploy');
  if (row.rolled_back_to !== null) entry.rolledBackTo = row.rolled_back_to;
  return entry;
}

function* batches<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
