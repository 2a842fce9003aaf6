import type { Migration, MigrationProvider } from 'kysely';
import { initialSchema } from './0001-initial.js';
import { canarySteps } from './0002-canary-steps.js';
import { listIndexes } from './0003-list-indexes.js';
import type { SqlTypes } from './sql-dialect.js';

/**
 * Every archive schema version, in order. Names never change once released; a new version is a
 * new entry. Kysely's Migrator records which ran (kysely_migration) and runs the rest at start.
 */
export function historyMigrations(types: SqlTypes): MigrationProvider {
  const migrations: Record<string, Migration> = {
    '0001-initial': initialSchema(types),
    '0002-canary-steps': canarySteps(),
    '0003-list-indexes': listIndexes(),
  };
  return { getMigrations: async () => migrations };
}
