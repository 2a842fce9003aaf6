import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@ferry/shared';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { HistoryDatabase } from '../../packages/server/src/history/database.js';
import type { KyselyHistoryStore } from '../../packages/server/src/history/kysely-history-store.js';
import {
  type HistoryStoreLocation,
  openHistoryStore,
} from '../../packages/server/src/history/open-history-store.js';

/**
 * The PostgreSQL the archive tests use: `npm test` starts a private cluster (scripts/lib/services.sh
 * start_postgres) and exports its URL. Missing, the tests fail saying so: never a skip.
 */
export function testPostgresUrl(): string {
  const url = process.env.FERRY_TEST_POSTGRES_URL;
  if (url === undefined || url === '') {
    throw new Error(
      'FERRY_TEST_POSTGRES_URL is not set: the archive tests need PostgreSQL; run the suite with npm test ' +
        '(it starts one), or start one on loopback and export its URL',
    );
  }
  return url;
}

/** A fresh, empty database on the test cluster; its URL. */
export async function freshPostgresDatabase(): Promise<string> {
  const admin = new pg.Client({ connectionString: testPostgresUrl(), connectionTimeoutMillis: 3_000 });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(
      `PostgreSQL is not reachable at ${testPostgresUrl()} (${(err as Error).message}); run npm test`,
    );
  }
  const name = `ferry_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(testPostgresUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

export type HistoryKind = 'sqlite' | 'postgres';
export const historyKinds: readonly HistoryKind[] = ['sqlite', 'postgres'];

/** Where a fresh, empty archive of `kind` is (nothing created in it yet). */
export async function freshHistoryLocation(kind: HistoryKind): Promise<HistoryStoreLocation> {
  return kind === 'sqlite'
    ? { kind, file: join(mkdtempSync(join(tmpdir(), 'ferry-history-')), 'history.sqlite') }
    : { kind, url: await freshPostgresDatabase() };
}

/** An empty archive of `kind`, migrated. */
export async function freshHistoryStore(kind: HistoryKind): Promise<KyselyHistoryStore> {
  const store = openHistoryStore(await freshHistoryLocation(kind), createLogger({ level: 'silent' }));
  await store.migrate();
  return store;
}

/** A connection of the test's own to the archive at `location` (to inspect it beside Ferry's). */
export function historyKysely(location: HistoryStoreLocation): Kysely<HistoryDatabase> {
  return new Kysely<HistoryDatabase>({
    dialect:
      location.kind === 'sqlite'
        ? new SqliteDialect({ database: new Database(location.file) })
        : new PostgresDialect({ pool: new pg.Pool({ connectionString: location.url, max: 1 }) }),
  });
}

/** The `history` config section of a Ferry whose archive is a fresh `kind` database. */
export async function historyConfig(
  kind: HistoryKind,
  extra: Record<string, unknown> = {},
): Promise<{ config: Record<string, unknown>; env: Record<string, string> }> {
  if (kind === 'sqlite') {
    const file = join(mkdtempSync(join(tmpdir(), 'ferry-history-')), 'history.sqlite');
    return { config: { kind, sqlite: { file }, ...extra }, env: {} };
  }
  return {
    config: { kind, postgres: { url: { env: 'FERRY_TEST_HISTORY_URL' } }, ...extra },
    env: { FERRY_TEST_HISTORY_URL: await freshPostgresDatabase() },
  };
}
