import type { Logger } from '@ferry/shared';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { HistoryDatabase } from '../database.js';
import { KyselyHistoryStore } from '../kysely-history-store.js';
import { postgresTypes } from '../migrations/sql-dialect.js';

export interface PostgresHistoryOptions {
  /** postgres://user:password@host:port/database (a secret: never logged). */
  url: string;
  logger: Logger;
  /** Connections at most (default 5). */
  maxConnections?: number;
}

/** The production archive: PostgreSQL, shared by every replica. */
export class PostgresHistoryStore extends KyselyHistoryStore {
  readonly kind = 'postgres' as const;

  constructor(options: PostgresHistoryOptions) {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.maxConnections ?? 5,
      connectionTimeoutMillis: 5_000,
      // A query the database never answers fails instead of holding archival forever.
      query_timeout: 60_000,
    });
    // A dropped idle connection must not crash the process: the next query reconnects.
    pool.on('error', (err) =>
      options.logger.warn({ err: err.message }, 'archive: PostgreSQL connection lost'),
    );
    super(new Kysely<HistoryDatabase>({ dialect: new PostgresDialect({ pool }) }), postgresTypes);
  }

  async sizeBytes(): Promise<number> {
    return this.ready(async () => {
      const { rows } = await sql<{
        bytes: string;
      }>`select pg_database_size(current_database()) as bytes`.execute(this.db);
      return Number(rows[0]?.bytes ?? 0);
    });
  }
}
