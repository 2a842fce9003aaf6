import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ArchiverThread } from '../../packages/server/src/history/archiver/archiver-thread.js';
import { liveKeys } from '../../packages/server/src/history/redis/redis-live-keys.js';
import { api, pushPipeline, until } from '../api/api-support.js';
import { eventually } from '../support/ferry.js';
import { ferryPerTest } from '../support/ferry-per-test.js';
import { historyConfig } from '../support/history.js';

/** Sleeps this thread (the server's main thread) without letting its event loop run. */
function blockMainThread(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** How many of `ids` the SQLite archive at `file` holds, read on a connection of the test's own. */
function archivedCount(file: string, ids: readonly string[]): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare(`select count(*) as n from pipelines where id in (${ids.map(() => '?').join(',')})`)
      .get(...ids) as { n: number };
    return row.n;
  } catch {
    // Not migrated yet (the thread migrates on its first cycle).
    return 0;
  } finally {
    db.close();
  }
}

describe('the archiver runs in a thread of its own', () => {
  const each = ferryPerTest();

  it('moves pipelines to the archive while the server’s main thread cannot run at all', async () => {
    const history = await historyConfig('sqlite', { archiveAfter: '0s', interval: '1h' });
    const file = (history.config.sqlite as { file: string }).file;
    const ferry = await each.start({ config: { history: history.config }, env: history.env });
    const redis = each.redis;
    expect(ferry.ferry.history.archiver).toBeInstanceOf(ArchiverThread);
    // The test decides when pipelines move: "another replica" holds the lease, so only cycle() moves.
    await redis.set(liveKeys(ferry.prefix).archiverLease, 'another-replica', 'PX', 3_600_000);
    await ferry.ferry.history.archiver.cycle();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await pushPipeline(ferry, { projectId: 310 + i }));
    for (const id of ids) await until(ferry, id, ['success']);
    expect(archivedCount(file, ids)).toBe(0);

    const cycle = ferry.ferry.history.archiver.cycle();
    // From here the main thread's event loop does not turn: an archiver that needed it (as the
    // inline one did) could not read Redis, compress or write, and the count would stay 0. The bound
    // is generous (a loaded machine); reaching it fails the test.
    const deadline = Date.now() + 120_000;
    let count = 0;
    while (count < ids.length && Date.now() < deadline) {
      blockMainThread(50);
      count = archivedCount(file, ids);
    }
    expect(count).toBe(ids.length);
    expect(await cycle).toMatchObject({ archived: ids.length });
    // Removed from Redis only after the archive confirmed; the API still serves them.
    for (const id of ids) {
      expect(await redis.exists(liveKeys(ferry.prefix).pipeline(id))).toBe(0);
      expect((await api(ferry, 'GET', `/pipelines/${id}`)).json()).toMatchObject({ id, status: 'success' });
    }
    const metrics = await ferry.ferry.ctx.metrics.registry.getSingleMetricAsString(
      'ferry_history_archived_total',
    );
    expect(metrics).toMatch(/ferry_history_archived_total 3/);
  });

  it('starts again after its thread dies, keeps its lease and archives on', async () => {
    const history = await historyConfig('sqlite', { archiveAfter: '0s', interval: '1s' });
    const ferry = await each.start({ config: { history: history.config }, env: history.env });
    const thread = ferry.ferry.history.archiver;
    if (!(thread instanceof ArchiverThread)) throw new Error('the archiver does not run in a thread');
    const store = ferry.ferry.history.store;
    const lease = liveKeys(ferry.prefix).archiverLease;
    const archived = (id: string) =>
      eventually(async () => ((await store.has(id)) ? true : undefined), 120_000);
    const first = await pushPipeline(ferry, { projectId: 330 });
    await archived(first);
    const owner = await each.redis.get(lease);
    expect(owner).not.toBeNull();
    for (let death = 1; death <= 2; death++) {
      // A cycle under way when the thread dies ends with it (or finished just before).
      const cycle = thread.cycle().then(
        () => 'done',
        (err: Error) => err.message,
      );
      await thread.crash();
      expect(await cycle).toMatch(/^(done|the archiver thread exited \(code 1\))$/);
      // Only the thread archives: the main thread never does. A pipeline that ends now reaches the
      // archive only once the thread was started again, by itself (nothing here calls cycle()).
      const next = await pushPipeline(ferry, { projectId: 330 + death });
      await until(ferry, next, ['success']);
      await archived(next);
      // Removed from Redis once the archive confirmed it.
      await eventually(
        async () =>
          (await each.redis.exists(liveKeys(ferry.prefix).pipeline(next))) === 0 ? true : undefined,
        60_000,
      );
      // The restarted thread holds the same lease (a new owner would wait out the dead one's TTL).
      expect(await each.redis.get(lease)).toBe(owner);
    }
  });

  it('closes with the server, even during a cycle; a closed archiver runs no more cycles', async () => {
    const history = await historyConfig('sqlite', { archiveAfter: '0s', interval: '1s' });
    const ferry = await each.start({ config: { history: history.config }, env: history.env });
    const id = await pushPipeline(ferry, { projectId: 320 });
    await eventually(async () => ((await ferry.ferry.history.store.has(id)) ? true : undefined), 60_000);
    const cycle = ferry.ferry.history.archiver.cycle().then(
      () => 'done',
      () => 'ended by the close',
    );
    await ferry.close();
    each.closed();
    expect(['done', 'ended by the close']).toContain(await cycle);
    await expect(ferry.ferry.history.archiver.cycle()).rejects.toThrow(/not running/);
  });
});
