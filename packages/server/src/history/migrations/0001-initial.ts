import type { Kysely, Migration } from 'kysely';
import type { SqlTypes } from './sql-dialect.js';

/** The archive's first schema: pipelines, the audit trail, stage logs and their compressed chunks. */
export function initialSchema(types: SqlTypes): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('pipelines')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('project_id', 'bigint', (c) => c.notNull())
        .addColumn('project_path', 'text', (c) => c.notNull())
        .addColumn('environment', 'text', (c) => c.notNull())
        .addColumn('ref', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text', (c) => c.notNull())
        .addColumn('record', 'text', (c) => c.notNull())
        .addColumn('archived_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('pipelines_seq').on('pipelines').column('seq').execute();
      await db.schema
        .createIndex('pipelines_project_seq')
        .on('pipelines')
        .columns(['project_id', 'seq'])
        .execute();
      await db.schema
        .createIndex('pipelines_environment_finished')
        .on('pipelines')
        .columns(['environment', 'finished_at'])
        .execute();

      await db.schema
        .createTable('deployments')
        .addColumn('pipeline_id', 'text', (c) => c.primaryKey())
        .addColumn('project_id', 'bigint', (c) => c.notNull())
        .addColumn('project_path', 'text', (c) => c.notNull())
        .addColumn('environment', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('sha', 'text', (c) => c.notNull())
        .addColumn('image_digest', 'text')
        .addColumn('image_reference', 'text')
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('rolled_back_to', 'text')
        .execute();
      await db.schema.createIndex('deployments_at').on('deployments').column('at').execute();
      await db.schema
        .createIndex('deployments_environment_at')
        .on('deployments')
        .columns(['environment', 'at'])
        .execute();

      await db.schema
        .createTable('stage_logs')
        .addColumn('pipeline_id', 'text', (c) => c.notNull())
        .addColumn('stage', 'text', (c) => c.notNull())
        .addColumn('environment', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text', (c) => c.notNull())
        .addColumn('lines', 'bigint', (c) => c.notNull())
        .addColumn('dropped_bytes', 'bigint', (c) => c.notNull())
        .addColumn('dropped_after', 'bigint')
        .addColumn('raw_bytes', 'bigint', (c) => c.notNull())
        .addColumn('stored_bytes', 'bigint', (c) => c.notNull())
        .addColumn('location', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('stage_logs_pk', ['pipeline_id', 'stage'])
        .execute();
      await db.schema
        .createIndex('stage_logs_environment_finished')
        .on('stage_logs')
        .columns(['environment', 'finished_at'])
        .execute();

      await db.schema
        .createTable('stage_log_chunks')
        .addColumn('pipeline_id', 'text', (c) => c.notNull())
        .addColumn('stage', 'text', (c) => c.notNull())
        .addColumn('last_ms', 'bigint', (c) => c.notNull())
        .addColumn('last_seq', 'bigint', (c) => c.notNull())
        .addColumn('first_ms', 'bigint', (c) => c.notNull())
        .addColumn('first_seq', 'bigint', (c) => c.notNull())
        .addColumn('data', types.bytes, (c) => c.notNull())
        .addPrimaryKeyConstraint('stage_log_chunks_pk', ['pipeline_id', 'stage', 'last_ms', 'last_seq'])
        .execute();
    },
  };
}
