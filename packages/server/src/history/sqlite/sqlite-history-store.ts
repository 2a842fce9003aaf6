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
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 1000');
      return db;
    };
    super(new Kysely<HistoryDatabase>({ dialect: new SqliteDialect({ database }) }), sqliteTypes);
    this.file = file;
  }

  async sizeBytes(): Promise<number> {
    return this.ready(async () => {
      const { rows } = await sql<{ bytes: number }>`
        select page_count * page_size as bytes from pragma_page_count(), pragma_page_size()`.execute(this.db);
      return Number(rows[0]?.bytes ?? 0);
    });
  }
}
