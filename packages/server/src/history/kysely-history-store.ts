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
    return this.ready(() => this.db.transaction().execute((tx) => writeMoves(tx, moves)));
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

/**
 * Several moves in a few statements, one per table and kind, instead of about a dozen per
 * pipeline: on PostgreSQL each statement is a round trip, and one-row statements held archival
 * under the production rate (54.6 pipelines/s drained alone where SQLite did 84.7; a quiet
 * 100,000-pipeline soak at 70/s fell behind). A stage log's chunks replace any the archive held
 * (an interrupted earlier move's); a pipeline's audit rows are written anew.
 */
async function writeMoves(db: Db, moves: readonly ArchiveMove[]): Promise<void> {
  // One move per pipeline (the last): an upsert may not touch one row twice in a statement.
  const byId = new Map(moves.map((m) => [m.pipeline.record.id, m]));
  const all = [...byId.values()];
  const dbLogs = all.flatMap((m) =>
    m.logs.filter((l) => l.info.location === 'db').map((log) => ({ id: m.pipeline.record.id, log })),
  );
  for (const some of batches(dbLogs, ROWS_PER_STATEMENT)) {
    await db
      .deleteFrom('stage_log_chunks')
      .where((eb) =>
        eb.or(some.map(({ id, log }) => eb.and([eb('pipeline_id', '=', id), eb('stage', '=', log.stage)]))),
      )
      .execute();
  }
  const chunks = dbLogs.flatMap(({ id, log }) => log.chunks.map((chunk) => chunkRow(id, log.stage, chunk)));
  for (const rows of batches(chunks, ROWS_PER_STATEMENT)) await insertChunks(db, rows);
  const infos = all.flatMap((m) => m.logs.map((l) => logInfoRow(m.pipeline.record, l.stage, l.info)));
  for (const rows of batches(infos, ROWS_PER_STATEMENT)) await upsertLogInfos(db, rows);
  const archivedAt = new Date().toISOString();
  for (const some of batches(all, ROWS_PER_STATEMENT)) {
    const ids = some.map((m) => m.pipeline.record.id);
    await db
      .insertInto('pipelines')
      .values(some.map((m) => pipelineRow(m.pipeline, archivedAt)))
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          seq: eb.ref('excluded.seq'),
          project_id: eb.ref('excluded.project_id'),
          project_path: eb.ref('excluded.project_path'),
          environment: eb.ref('excluded.environment'),
          ref: eb.ref('excluded.ref'),
          status: eb.ref('excluded.status'),
          created_at: eb.ref('excluded.created_at'),
          finished_at: eb.ref('excluded.finished_at'),
          record: eb.ref('excluded.record'),
          archived_at: eb.ref('excluded.archived_at'),
        })),
      )
      .execute();
    await db.deleteFrom('deployments').where('pipeline_id', 'in', ids).execute();
    await db.deleteFrom('canary_steps').where('pipeline_id', 'in', ids).execute();
    const audit = some.map((m) => deploymentsOf(m.pipeline.record));
    const deploys = audit.flatMap(([entry]) => (entry === undefined ? [] : [deploymentRow(entry)]));
    const steps = audit.flatMap(([, ...rest]) => rest.map(canaryStepRow));
    if (deploys.length > 0) await db.insertInto('deployments').values(deploys).execute();
    if (steps.length > 0) await db.insertInto('canary_steps').values(steps).execute();
  }
}

/** Rows per multi-row statement: far below SQLite's 32,766 bound variables (and PostgreSQL's 65,535). */
const ROWS_PER_STATEMENT = 200;

function pipelineRow({ record, seq }: ArchivedPipeline, archivedAt: string) {
  return {
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
    archived_at: archivedAt,
  };
}

function chunkRow(pipelineId: string, stage: string, chunk: LogChunkRow) {
  return {
    pipeline_id: pipelineId,
    stage,
    last_ms: chunk.last.ms,
    last_seq: chunk.last.seq,
    first_ms: chunk.first.ms,
    first_seq: chunk.first.seq,
    data: chunk.data,
  };
}

async function insertChunks(db: Db, rows: ReturnType<typeof chunkRow>[]): Promise<void> {
  await db
    .insertInto('stage_log_chunks')
    .values(rows)
    .onConflict((oc) =>
      oc
        .columns(['pipeline_id', 'stage', 'last_ms', 'last_seq'])
        .doUpdateSet((eb) => ({ data: eb.ref('excluded.data') })),
    )
    .execute();
}

async function writeChunks(
  db: Db,
  pipelineId: string,
  stage: string,
  chunks: readonly LogChunkRow[],
): Promise<void> {
  if (chunks.length > 0)
    await insertChunks(
      db,
      chunks.map((chunk) => chunkRow(pipelineId, stage, chunk)),
    );
}

function logInfoRow(pipeline: PipelineRecord, stage: string, info: ArchivedLogInfo) {
  return {
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
}

async function upsertLogInfos(db: Db, rows: ReturnType<typeof logInfoRow>[]): Promise<void> {
  await db
    .insertInto('stage_logs')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['pipeline_id', 'stage']).doUpdateSet((eb) => ({
        environment: eb.ref('excluded.environment'),
        finished_at: eb.ref('excluded.finished_at'),
        lines: eb.ref('excluded.lines'),
        dropped_bytes: eb.ref('excluded.dropped_bytes'),
        dropped_after: eb.ref('excluded.dropped_after'),
        raw_bytes: eb.ref('excluded.raw_bytes'),
        stored_bytes: eb.ref('excluded.stored_bytes'),
        location: eb.ref('excluded.location'),
      })),
    )
    .execute();
}

function writeLogInfo(db: Db, pipeline: PipelineRecord, stage: string, info: ArchivedLogInfo): Promise<void> {
  return upsertLogInfos(db, [logInfoRow(pipeline, stage, info)]);
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
