import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import type { HistoryDatabase } from '../database.js';
import { KyselyHistoryStore } from '../kysely-history-store.js';
import { sqliteTypes } from '../migrations/sql-dialect.js';

/** The embedded archive: one SQLite file (WAL), no server to run. `:memory:` for a throwaway one. */
export class SqliteHistoryStore extends KyselyHistoryStore {
  readonly kind = 'sqlite' as const;
  readonly file: string;

  constructor(file: string) {
    // Opened on first use, so a file that cannot be opened fails archival (retried), never start-up.
    const database = async () => {
      if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
      const db = new Database(file);
      // First: switching a new file to WAL waits for another process doing the same.
      db.pragma('busy_timeout = 1000');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      return db;
    };
    super(new Kysely<HistoryDatabase>({ dialect: new SqliteDialect({ database }) }), sqliteTypes);
    this.file = file;
  }

  /**
   * Kysely takes no lock to migrate SQLite and runs its migrations outside a transaction, so two
   * connections (the server's and the archiver thread's) could both apply one. Here the migrator
   * runs on a connection of its own inside `BEGIN IMMEDIATE`: the second waits for the first's
   * commit and then finds nothing left to do (SQLite: "BEGIN IMMEDIATE", sqlite.org/lang_transaction).
   */
  protected override async withMigrationLock<T>(
    run: (db: Kysely<HistoryDatabase>) => Promise<T>,
  ): Promise<T> {
    // An in-memory database is one connection's own: no other connection can race it.
    if (this.file === ':memory:') return super.withMigrationLock(run);
    mkdirSync(dirname(this.file), { recursive: true });
    const connection = new Database(this.file);
    connection.pragma('busy_timeout = 30000');
    const db = new Kysely<HistoryDatabase>({ dialect: new SqliteDialect({ database: connection }) });
    try {
      connection.exec('BEGIN IMMEDIATE');
      const result = await run(db);
      connection.exec('COMMIT');
      return result;
    } finally {
      if (connection.inTransaction) connection.exec('ROLLBACK');
      await db.destroy();
    }
  }

  async sizeBytes(): Promise<number> {
    return this.ready(async () => {
      const { rows } = await sql<{ bytes: number }>`
        select page_count * page_size as bytes from pragma_page_count(), pragma_page_size()`.execute(this.db);
      return Number(rows[0]?.bytes ?? 0);
    });
  }
}
