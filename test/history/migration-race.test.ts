import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { type Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { HistoryDatabase } from '../../packages/server/src/history/database.js';
import { historyMigrations } from '../../packages/server/src/history/migrations/index.js';
import { sqliteTypes } from '../../packages/server/src/history/migrations/sql-dialect.js';
import { eventually } from '../support/ferry.js';
import { type FerryProcess, spawnFerry } from '../support/ferry-process.js';
import { freshHistoryLocation, historyKinds, historyKysely } from '../support/history.js';

const token = 'viewer-token-migration-race';

/** Every migration Ferry has, by name: what kysely_migration must list once each. */
async function migrationNames(): Promise<string[]> {
  return Object.keys(await historyMigrations(sqliteTypes).getMigrations()).sort();
}

/**
 * PostgreSQL: sessions waiting for an advisory lock (Kysely's migrator takes one, see
 * kysely 0.28 dialect/postgres/postgres-adapter.js acquireMigrationLock).
 */
async function advisoryWaiters(db: Kysely<HistoryDatabase>): Promise<number> {
  const { rows } = await sql<{ n: string }>`
    select count(*) as n from pg_locks where locktype = 'advisory' and not granted`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

/** `GET /api/v1/pipelines` on a process: 200, with the archive read (not `archive: unavailable`). */
async function listFrom(ferry: FerryProcess): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${ferry.url}/api/v1/pipelines?limit=5`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Whether `ferry`'s request thread leaves /healthz unanswered for 2 s (its event loop is held). */
async function stopsAnswering(ferry: FerryProcess): Promise<boolean> {
  try {
    await fetch(`${ferry.url}/healthz`, { signal: AbortSignal.timeout(2_000) });
    return false;
  } catch {
    return true;
  }
}

/**
 * Two `ferry serve` processes started at once on one fresh archive database (two replicas rolled out
 * together, or a replica and its upgrade): each process migrates from two connections (its archiver
 * thread at start, its request thread on the first archive read). The schema must be migrated once,
 * and both processes must start and serve from it. The test holds the migration lock while both
 * start, so that both are queued behind it when it lets go, rather than hoping they overlap.
 */
describe.each(historyKinds)('two Ferry processes on one fresh %s archive', (kind) => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  });

  it('migrate it once; both start and serve', { timeout: 240_000 }, async () => {
    const location = await freshHistoryLocation(kind);
    const config = {
      redis: { url: process.env.FERRY_TEST_REDIS_URL, keyPrefix: `ferry-race-${randomUUID().slice(0, 8)}` },
      executor: { kind: 'noop' },
      auth: { tokens: [{ name: 'viewer', token: { env: 'T_VIEWER' }, role: 'viewer' }] },
      history:
        location.kind === 'sqlite'
          ? { kind: 'sqlite', sqlite: { file: location.file }, interval: '1s' }
          : { kind: 'postgres', postgres: { url: { env: 'T_HISTORY_URL' } }, interval: '1s' },
    };
    const env = { T_VIEWER: token, ...(location.kind === 'postgres' ? { T_HISTORY_URL: location.url } : {}) };

    // The lock the migrators queue on, held by the test: PostgreSQL's advisory lock (in a session
    // of its own), SQLite's write lock (BEGIN IMMEDIATE, which Ferry's migrator takes too).
    let release: () => Promise<void>;
    let queued: () => Promise<unknown>;
    if (location.kind === 'postgres') {
      const db = historyKysely(location);
      cleanups.push(() => db.destroy());
      const holder = historyKysely(location);
      cleanups.push(() => holder.destroy());
      let unlock!: () => void;
      const unlocked = new Promise<void>((resolve) => {
        unlock = resolve;
      });
      let locked!: () => void;
      const isLocked = new Promise<void>((resolve) => {
        locked = resolve;
      });
      const held = holder.connection().execute(async (conn) => {
        await sql`select pg_advisory_lock(3853314791062309107)`.execute(conn);
        locked();
        await unlocked;
        await sql`select pg_advisory_unlock(3853314791062309107)`.execute(conn);
      });
      await isLocked;
      release = async () => {
        unlock();
        await held;
      };
      // Both archiver threads and both request threads wait for the lock.
      queued = () => eventually(async () => ((await advisoryWaiters(db)) >= 4 ? true : undefined), 120_000);
    } else {
      const holder = new Database(location.file);
      holder.pragma('journal_mode = WAL');
      holder.exec('BEGIN IMMEDIATE');
      cleanups.push(async () => holder.close());
      release = async () => {
        holder.exec('ROLLBACK');
        holder.close();
      };
      // SQLite's busy handler sleeps in the waiting thread, unseen from outside; a request thread
      // waiting there holds its whole event loop, so a process that stops answering /healthz is
      // queued. The wait is bounded below SQLite's busy timeout (30 s): past it, the test lets go
      // anyway (the overlap is then less sure, what is checked after stays the same).
      queued = async () => {
        const deadline = Date.now() + 20_000;
        while (Date.now() < deadline) {
          const blocked = await Promise.all([a, b].map((f) => stopsAnswering(f)));
          if (blocked.every(Boolean)) return;
        }
      };
    }

    const start = () => spawnFerry(config, env, { readyTimeoutMs: 120_000 });
    const [a, b] = await Promise.all([start(), start()]);
    for (const ferry of [a, b]) {
      cleanups.push(async () => {
        if (ferry.child.exitCode === null) ferry.child.kill('SIGKILL');
      });
    }
    // Both request threads are asked for the archive at once, while the lock is held.
    const lists = [listFrom(a), listFrom(b)];
    await queued();
    await release();
    for (const list of await Promise.all(lists)) {
      expect(list.status).toBe(200);
      expect(list.body.archive).toBeUndefined();
    }

    // Both serve archive reads from the one schema, migrated once.
    for (const ferry of [a, b]) {
      const list = await eventually(async () => {
        const got = await listFrom(ferry);
        return got.status === 200 && got.body.archive === undefined ? got : undefined;
      }, 60_000);
      expect(list.body.items).toEqual([]);
    }
    const db = historyKysely(location);
    cleanups.push(() => db.destroy());
    const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
    expect(applied.rows.map((r) => r.name)).toEqual(await migrationNames());
    // A migrator that ran without the lock collides with the other's tables; the cycle or the read
    // that met the failure logs it. Neither process met one.
    for (const ferry of [a, b]) {
      expect(ferry.output()).not.toMatch(
        /archival cycle failed|listing archived pipelines failed|could not be migrated|database is locked/,
      );
      expect(ferry.child.exitCode).toBeNull();
    }
  });
});
