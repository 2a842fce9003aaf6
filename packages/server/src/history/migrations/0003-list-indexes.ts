import type { Kysely, Migration } from 'kysely';

/** The list filters that had no index of their own (project ids had one from the start). */
export const listFilterColumns = ['project_path', 'environment', 'status', 'ref'] as const;

/**
 * One index per list filter, each ending in `seq`: `GET /pipelines?environment=…&cursor=…` then
 * reads its page straight from the index, newest first from the cursor, whatever the depth. Without
 * them a filtered page walked the `seq` index and checked every row until the filter had matched a
 * page's worth: a whole-table walk for a rare status or one project among hundreds (issue 19).
 */
export function listIndexes(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      for (const column of listFilterColumns) {
        await db.schema
          .createIndex(`pipelines_${column}_seq`)
          .on('pipelines')
          .columns([column, 'seq'])
          .execute();
      }
    },
  };
}
