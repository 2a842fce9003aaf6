import type { LogLine } from '@ferry/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ArchiveMove, LogEntry, RawLogEntry } from '../../packages/server/src/history/history-store.js';
import type { KyselyHistoryStore } from '../../packages/server/src/history/kysely-history-store.js';
import { compressEntries, rawEntries } from '../../packages/server/src/history/logs/chunk-codec.js';
import { finishedPipeline } from './records.js';

/** Entries as Redis holds them (the lines' JSON as bytes), as the archiver reads them. */
function entriesOf(list: readonly LogEntry[]): AsyncGenerator<RawLogEntry> {
  return rawEntries(list);
}

/** A log of `count` entries of `perEntry` lines, ids like Redis stream ids. */
function logEntries(
  count: number,
  perEntry: number,
  text = (n: number) => `line ${n} ${'x'.repeat(80)}`,
): LogEntry[] {
  const out: LogEntry[] = [];
  let n = 0;
  for (let i = 0; i < count; i++) {
    const lines: LogLine[] = [];
    for (let j = 0; j < perEntry; j++, n++) lines.push({ n, t: 1_700_000_000_000 + n, s: 'o', x: text(n) });
    out.push([`${1_700_000_000_000 + i}-${i % 3}`, lines]);
  }
  return out;
}

/** Everything a HistoryStore must do, whichever database holds it. */
export function historyConformance(open: () => Promise<KyselyHistoryStore>): void {
  let store: KyselyHistoryStore;
  beforeEach(async () => {
    store = await open();
  });
  afterEach(async () => {
    await store.close();
  });

  describe('pipelines', () => {
    it('keeps a whole record, manifests included, and lists newest first without manifests', async () => {
      const a = finishedPipeline();
      const b = finishedPipeline({ environment: 'prod' });
      await store.putPipeline({ record: a, seq: 1 });
      await store.putPipeline({ record: b, seq: 2 });
      expect(await store.get(a.id)).toEqual(a);
      expect(await store.has(b.id)).toBe(true);
      expect(await store.get('nope')).toBeUndefined();
      const listed = await store.list({}, 10);
      expect(listed.map((p) => p.seq)).toEqual([2, 1]);
      expect(listed[0]?.record.manifests).toBeUndefined();
      expect(listed[0]?.record.image).toEqual(b.image);
      expect((await store.list({ environment: 'prod' }, 10)).map((p) => p.record.id)).toEqual([b.id]);
      expect((await store.list({}, 10, 2)).map((p) => p.record.id)).toEqual([a.id]);
      expect((await store.list({ projectPath: 'shop/orders', status: 'success' }, 1)).length).toBe(1);
      expect(await store.list({ projectId: 7 }, 10)).toEqual([]);
    });

    it('a repeated move replaces, never duplicates (a crash between archive and Redis removal)', async () => {
      const a = finishedPipeline();
      await store.putPipeline({ record: a, seq: 5 });
      await store.putPipeline({ record: { ...a, reason: 'again' }, seq: 5 });
      expect(await store.list({}, 10)).toHaveLength(1);
      expect((await store.get(a.id))?.reason).toBe('again');
      expect(await store.deployments({ limit: 10 })).toHaveLength(1);
    });
  });

  describe('audit trail', () => {
    it('lists deploys and rollbacks with who, commit, digest, when and outcome; filters combine', async () => {
      const deploy = finishedPipeline({ environment: 'prod' });
      const rollback = finishedPipeline({ environment: 'prod', trigger: 'rollback', rollbackOf: deploy.id });
      const failed = finishedPipeline({ environment: 'staging', release: { rolledBackTo: 'abc' } });
      const testOnly = finishedPipeline({
        stages: [{ name: 'test', status: 'failed', attempts: 1, startedAt: 'x', finishedAt: 'x' }],
      });
      let seq = 0;
      for (const record of [deploy, rollback, failed, testOnly])
        await store.putPipeline({ record, seq: ++seq });
      const all = await store.deployments({ limit: 10 });
      expect(all.map((e) => e.pipelineId)).toEqual([failed.id, rollback.id, deploy.id]);
      expect(all[1]).toMatchObject({
        kind: 'rollback',
        user: 'alice',
        sha: rollback.sha,
        outcome: 'success',
      });
      expect(all[2]?.imageDigest).toBe(deploy.image?.digest);
      expect(all[0]).toMatchObject({ outcome: 'rolled_back', rolledBackTo: 'abc' });
      expect((await store.deployments({ environment: 'prod', limit: 10 })).length).toBe(2);
      expect((await store.deployments({ since: rollback.finishedAt!, limit: 10 })).length).toBe(2);
      expect((await store.deployments({ projectPath: 'other', limit: 10 })).length).toBe(0);
    });
  });

  describe('audit trail: canary steps', () => {
    it('keeps each promote and abort beside the deploy, filtered and ordered with it', async () => {
      const deploy = finishedPipeline({ environment: 'prod' });
      const finished = deploy.stages.find((s) => s.name === 'deploy')!.finishedAt!;
      const secondsBefore = (s: number) => new Date(Date.parse(finished) - s * 1000).toISOString();
      const record = {
        ...deploy,
        canaryDecisions: [
          { verdict: 'promote' as const, by: 'bob', at: secondsBefore(60), step: '1/3 10%' },
          { verdict: 'abort' as const, by: 'carol', at: secondsBefore(30) },
        ],
      };
      await store.putPipeline({ record, seq: 1 });
      const all = await store.deployments({ limit: 10 });
      expect(all.map((e) => [e.kind, e.user, e.outcome, e.canaryStep])).toEqual([
        ['deploy', 'alice', 'success', undefined],
        ['canary', 'carol', 'aborted', undefined],
        ['canary', 'bob', 'promoted', '1/3 10%'],
      ]);
      expect(all[2]).toMatchObject({
        sha: deploy.sha,
        imageDigest: deploy.image?.digest,
        environment: 'prod',
      });
      expect(await store.deployments({ since: secondsBefore(45), limit: 10 })).toHaveLength(2);
      expect(await store.deployments({ environment: 'staging', limit: 10 })).toEqual([]);
      expect(await store.deployments({ limit: 2 })).toHaveLength(2);
      // A repeated move replaces them; retention removes them with the pipeline.
      await store.putPipeline({ record, seq: 1 });
      expect(await store.deployments({ limit: 10 })).toHaveLength(3);
      await store.deleteExpired({
        environment: 'prod',
        recordsBefore: '2999-01-01T00:00:00.000Z',
        logsBefore: '2999-01-01T00:00:00.000Z',
      });
      expect(await store.deployments({ limit: 10 })).toEqual([]);
    });
  });

  describe('logs', () => {
    it('reads an archived log with the same cursors as Redis, in pages, to the end', async () => {
      const p = finishedPipeline();
      const entries = logEntries(3000, 10);
      const stored = await store.putLog(
        p.id,
        'build',
        { lines: 30_000, droppedBytes: 0 },
        entriesOf(entries),
      );
      expect(stored.storedBytes).toBeLessThan(stored.rawBytes / 4);
      await store.putLogInfo(p, 'build', { lines: 30_000, droppedBytes: 0, ...stored, location: 'db' });
      let cursor = '-';
      const seen: number[] = [];
      for (let pages = 0; pages < 100; pages++) {
        const chunk = await store.readLog(p.id, 'build', cursor, 1000);
        expect(chunk).toBeDefined();
        seen.push(...chunk!.lines.map((l) => l.n));
        cursor = chunk!.cursor;
        if (chunk!.done) break;
      }
      expect(seen).toEqual([...Array(30_000).keys()]);
      // Resuming from a live follower's cursor in the middle of a chunk returns only what follows.
      const middle = entries[1234]![0];
      const after = await store.readLog(p.id, 'build', middle, 5);
      expect(after?.lines[0]?.n).toBe(12_350);
      expect(await store.readLog(p.id, 'test', '-', 10)).toBeUndefined();
    });

    it('keeps the head…tail facts and a repeated put rewrites the same chunks', async () => {
      const p = finishedPipeline();
      const entries = logEntries(10, 2);
      await store.putLog(p.id, 'test', { lines: 20, droppedBytes: 0 }, entriesOf(entries));
      const again = await store.putLog(p.id, 'test', { lines: 20, droppedBytes: 0 }, entriesOf(entries));
      await store.putLogInfo(p, 'test', {
        lines: 20,
        droppedBytes: 5_000_000,
        droppedAfter: 7,
        ...again,
        location: 'db',
      });
      const chunk = await store.readLog(p.id, 'test', '-', 10_000);
      expect(chunk?.lines).toHaveLength(20);
      expect(chunk).toMatchObject({ done: true, droppedBytes: 5_000_000, droppedAfter: 7 });
    });
  });

  describe('moves (what the archiver writes)', () => {
    /** A move of `record` with a `build` log of `entries`, compressed in chunks of `maxRaw` bytes. */
    async function moveOf(record: ReturnType<typeof finishedPipeline>, entries: LogEntry[], maxRaw?: number) {
      const chunks = [];
      for await (const chunk of compressEntries(entriesOf(entries), maxRaw)) chunks.push(chunk);
      const lines = entries.reduce((n, [, l]) => n + l.length, 0);
      const move: ArchiveMove = {
        pipeline: { record, seq: 1 },
        logs: [
          {
            stage: 'build',
            info: { lines, droppedBytes: 0, rawBytes: 1, storedBytes: 1, location: 'db' },
            chunks,
          },
        ],
      };
      return move;
    }

    async function allLines(id: string): Promise<number[]> {
      const seen: number[] = [];
      let cursor = '-';
      for (let pages = 0; pages < 1000; pages++) {
        const chunk = await store.readLog(id, 'build', cursor, 500);
        seen.push(...(chunk?.lines ?? []).map((l) => l.n));
        cursor = chunk?.cursor ?? cursor;
        if (chunk === undefined || chunk.done) break;
      }
      return seen;
    }

    it('writes several pipelines with their logs in one call, read back whole', async () => {
      const a = finishedPipeline();
      const b = finishedPipeline({ environment: 'prod' });
      await store.putMoves([await moveOf(a, logEntries(200, 5)), await moveOf(b, logEntries(30, 2))]);
      expect(await store.get(a.id)).toEqual(a);
      expect(await store.get(b.id)).toEqual(b);
      expect(await allLines(a.id)).toEqual([...Array(1000).keys()]);
      expect(await allLines(b.id)).toEqual([...Array(60).keys()]);
      expect(await store.logInfo(a.id, 'build')).toMatchObject({ lines: 1000, location: 'db' });
    });

    it('a batch written again (a crash before Redis let go) replaces every row once: records, logs, audit', async () => {
      // putMoves writes a batch as one statement per table: a repeat must not duplicate any row.
      const deploy = finishedPipeline({ environment: 'prod' });
      const finished = deploy.stages.find((s) => s.name === 'deploy')!.finishedAt!;
      const canary = {
        ...deploy,
        canaryDecisions: [{ verdict: 'promote' as const, by: 'bob', at: finished, step: '1/2 50%' }],
      };
      const others = Array.from({ length: 5 }, () => finishedPipeline());
      const batch = async () => [
        await moveOf(canary, logEntries(40, 3)),
        ...(await Promise.all(others.map((o) => moveOf(o, logEntries(10, 1))))),
      ];
      await store.putMoves(await batch());
      await store.putMoves(await batch());
      expect(await store.list({}, 20)).toHaveLength(6);
      expect(await store.get(canary.id)).toEqual(canary);
      expect(await allLines(canary.id)).toEqual([...Array(120).keys()]);
      for (const o of others) expect(await allLines(o.id)).toEqual([...Array(10).keys()]);
      const audit = await store.deployments({ limit: 50 });
      expect(audit.filter((e) => e.pipelineId === canary.id).map((e) => e.kind)).toEqual([
        'deploy',
        'canary',
      ]);
      expect(audit).toHaveLength(7);
    });

    it('a repeated move cut differently (an older Ferry, a longer log) reads back each line once', async () => {
      const a = finishedPipeline();
      const entries = logEntries(400, 5);
      // An earlier move (say by an older Ferry) cut half the log into small chunks.
      const earlier = await moveOf(a, entries.slice(0, 200), 4 * 1024);
      expect(earlier.logs[0]!.chunks.length).toBeGreaterThan(3);
      await store.putMoves([earlier]);
      await store.putMoves([await moveOf(a, entries)]);
      expect(await allLines(a.id)).toEqual([...Array(2000).keys()]);
      await store.putMoves([await moveOf(a, entries, 8 * 1024)]);
      expect(await allLines(a.id)).toEqual([...Array(2000).keys()]);
    });

    it('is all or nothing: a move that cannot be written leaves the whole batch out', async () => {
      const a = finishedPipeline();
      const b = finishedPipeline();
      const bad = await moveOf(b, logEntries(3, 1));
      const broken: ArchiveMove = {
        ...bad,
        logs: [
          { ...bad.logs[0]!, chunks: [{ ...bad.logs[0]!.chunks[0]!, data: null as unknown as Buffer }] },
        ],
      };
      await expect(store.putMoves([await moveOf(a, logEntries(3, 1)), broken])).rejects.toThrow();
      expect(await store.has(a.id)).toBe(false);
      expect(await store.logInfo(a.id, 'build')).toBeUndefined();
      expect(await store.readLog(a.id, 'build', '-', 10)).toBeUndefined();
    });
  });

  describe('retention', () => {
    it('deletes records and logs past their cut-off per environment and counts them', async () => {
      const old = finishedPipeline({ environment: 'staging', finishedAt: '2025-01-01T00:00:00.000Z' });
      const oldProd = finishedPipeline({ environment: 'prod', finishedAt: '2025-01-01T00:00:00.000Z' });
      const recent = finishedPipeline({ environment: 'staging', finishedAt: '2026-06-01T00:00:00.000Z' });
      let seq = 0;
      for (const record of [old, oldProd, recent]) {
        await store.putPipeline({ record, seq: ++seq });
        const stored = await store.putLog(
          record.id,
          'test',
          { lines: 2, droppedBytes: 0 },
          entriesOf(logEntries(1, 2)),
        );
        await store.putLogInfo(record, 'test', { lines: 2, droppedBytes: 0, ...stored, location: 'db' });
      }
      // staging: logs older than 2026-03, records older than 2025-06.
      const staging = await store.deleteExpired({
        environment: 'staging',
        recordsBefore: '2025-06-01T00:00:00.000Z',
        logsBefore: '2026-03-01T00:00:00.000Z',
      });
      await store.deleteLogs(staging.logPipelineIds);
      expect(staging).toMatchObject({ pipelines: 1, logs: 1 });
      expect(await store.get(old.id)).toBeUndefined();
      expect(await store.readLog(old.id, 'test', '-', 10)).toBeUndefined();
      expect(await store.get(oldProd.id)).toBeDefined();
      expect(await store.readLog(recent.id, 'test', '-', 10)).toBeDefined();
      // Everything but staging: prod's old logs go, its record stays.
      const rest = await store.deleteExpired({
        except: ['staging'],
        recordsBefore: '2024-01-01T00:00:00.000Z',
        logsBefore: '2026-01-01T00:00:00.000Z',
      });
      expect(rest).toMatchObject({ pipelines: 0, logs: 1 });
      expect(await store.get(oldProd.id)).toBeDefined();
      expect(await store.readLog(oldProd.id, 'test', '-', 10)).toBeUndefined();
      expect(await store.deployments({ limit: 10 })).toHaveLength(2);
    });
  });

  it('migrations are versioned and a second run is a no-op', async () => {
    await store.migrate();
    expect(await store.sizeBytes()).toBeGreaterThan(0);
  });
}
