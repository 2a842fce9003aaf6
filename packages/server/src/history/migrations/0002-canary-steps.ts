import type { Kysely, Migration } from 'kysely';

/**
 * The audit trail's canary steps: one row per promote or abort decided through Ferry, beside the
 * pipeline's one deploy row, kept as long as the pipeline.
 */
export function canarySteps(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('canary_steps')
        .addColumn('pipeline_id', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('project_id', 'bigint', (c) => c.notNull())
        .addColumn('project_path', 'text', (c) => c.notNull())
        .addColumn('environment', 'text', (c) => c.notNull())
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('sha', 'text', (c) => c.notNull())
        .addColumn('image_digest', 'text')
        .addColumn('image_reference', 'text')
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('step', 'text')
        .addPrimaryKeyConstraint('canary_steps_pk', ['pipeline_id', 'at'])
        .execute();
      await db.schema
        .createIndex('canary_steps_environment_at')
        .on('canary_steps')
        .columns(['environment', 'at'])
        .execute();
      await db.schema.createIndex('canary_steps_at').on('canary_steps').column('at').execute();
    },
  };
}
