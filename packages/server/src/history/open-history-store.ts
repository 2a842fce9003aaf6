import type { FerryConfig, Logger } from '@ferry/shared';
import type { KyselyHistoryStore } from './kysely-history-store.js';
import { PostgresHistoryStore } from './postgres/postgres-history-store.js';
import { SqliteHistoryStore } from './sqlite/sqlite-history-store.js';

/**
 * Where the archive is, as plain data (it crosses to the archiver's thread). The PostgreSQL URL is
 * a secret: revealed only to open the pool, never logged.
 */
export type HistoryStoreLocation = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

export function historyStoreLocation(config: FerryConfig): HistoryStoreLocation {
  const { history } = config;
  if (history.kind === 'postgres') {
    const url = history.postgres.url;
    if (url === undefined) throw new TypeError('history.postgres.url is required with history.kind postgres');
    return { kind: 'postgres', url: url.reveal() };
  }
  return { kind: 'sqlite', file: history.sqlite.file };
}

/** The archive database at `location`. Opening never connects: the first query does. */
export function openHistoryStore(location: HistoryStoreLocation, logger: Logger): KyselyHistoryStore {
  return location.kind === 'postgres'
    ? new PostgresHistoryStore({ url: location.url, logger })
    : new SqliteHistoryStore(location.file);
}
