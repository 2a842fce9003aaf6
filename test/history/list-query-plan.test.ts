import { createLogger } from '@ferry/shared';
import { CompiledQuery, type Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { HistoryDatabase } from '../../packages/server/src/history/database.js';
import type { KyselyHistoryStore } from '../../packages/server/src/history/kysely-history-store.js';
import { openHistoryStore } from '../../packages/server/src/history/open-history-store.js';
import { pipelineListQuery } from '../../packages/server/src/history/queries/list-query.js';
import type { PipelineFilter } from '../../packages/server/src/store/pipeline-store.js';
import { freshHistoryLocation, historyKinds, historyKysely } from '../support/history.js';

const rows = 100_000;
const deepCursor = 75_000;

/**
 * An archive's worth of rows, made in the database (one statement, the same SQL on both), so that
 * each filter's value below is rare (1 in 200) yet has hundreds of rows (375) below the cursor:
 * a plan that walked the `seq` index and checked rows, or read every match and sorted them, would
 * read thousands of rows for one page.
 */
const fill = sql`
  with recursive g(n) as (select 1 union all select n + 1 from g where n < ${sql.lit(rows)})
  insert into pipelines
    (id, seq, project_id, project_path, environment, ref, status, created_at, finished_at, record, archived_at)
  select 'p' || n, n, 9000 + n % 200, 'group/service-' || (n % 200),
    case when n % 200 = 7 then 'prod' when n % 2 = 0 then 'test' else 'staging' end,
    case when n % 200 = 3 then 'hotfix' else 'test' end,
    case when n % 200 = 5 then 'failed' else 'success' end,
    '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:01.000Z', '{}', '2026-01-01T00:00:02.000Z'
  from g`;

/** Each filter of `GET /pipelines`, with a rare value, and the index that must serve it. */
const cases: ReadonlyArray<{ filter: PipelineFilter; index: string; matches: (seq: number) => boolean }> = [
  { filter: { projectId: 9_017 }, index: 'pipelines_project_seq', matches: (s) => s % 200 === 17 },
  {
    filter: { projectPath: 'group/service-17' },
    index: 'pipelines_project_path_seq',
    matches: (s) => s % 200 === 17,
  },
  { filter: { environment: 'prod' }, index: 'pipelines_environment_seq', matches: (s) => s % 200 === 7 },
  { filter: { status: 'failed' }, index: 'pipelines_status_seq', matches: (s) => s % 200 === 5 },
  { filter: { ref: 'hotfix' }, index: 'pipelines_ref_seq', matches: (s) => s % 200 === 3 },
];

/** SQLite's EXPLAIN QUERY PLAN details (sqlite.org/eqp.html), one line per step. */
async function sqlitePlan(db: Kysely<HistoryDatabase>, query: CompiledQuery): Promise<string[]> {
  const { rows } = await db.executeQuery<{ detail: string }>(
    CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]),
  );
  return rows.map((r) => r.detail);
}

interface PgPlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Scan Direction'?: string;
  Plans?: PgPlanNode[];
}

/** PostgreSQL's EXPLAIN (FORMAT JSON) plan, flattened to its nodes (postgresql.org/docs/15/sql-explain.html). */
async function postgresPlan(db: Kysely<HistoryDatabase>, query: CompiledQuery): Promise<PgPlanNode[]> {
  const { rows } = await db.executeQuery<{ 'QUERY PLAN': Array<{ Plan: PgPlanNode }> }>(
    CompiledQuery.raw(`explain (format json) ${query.sql}`, [...query.parameters]),
  );
  const nodes: PgPlanNode[] = [];
  const walk = (node: PgPlanNode) => {
    nodes.push(node);
    for (const child of node.Plans ?? []) walk(child);
  };
  const top = rows[0]?.['QUERY PLAN'][0]?.Plan;
  if (top !== undefined) walk(top);
  return nodes;
}

describe.each(historyKinds)('archived pipeline lists on %s', (kind) => {
  const opened: Array<{ store: KyselyHistoryStore; db: Kysely<HistoryDatabase> }> = [];
  afterEach(async () => {
    for (const { store, db } of opened.splice(0)) {
      await db.destroy();
      await store.close();
    }
  });

  it('read a deep filtered page from the filter’s own index: no scan, no sort', async () => {
    const location = await freshHistoryLocation(kind);
    const store = openHistoryStore(location, createLogger({ level: 'silent' }));
    const db = historyKysely(location);
    opened.push({ store, db });
    await store.migrate();
    await fill.execute(db);
    // PostgreSQL plans from statistics its autovacuum keeps; the test does not wait for it.
    if (kind === 'postgres') await sql`analyze pipelines`.execute(db);

    for (const { filter, index, matches } of cases) {
      const query = pipelineListQuery(db, filter, 50, deepCursor).compile();
      if (kind === 'sqlite') {
        const plan = await sqlitePlan(db, query);
        expect(plan.join('\n'), JSON.stringify(filter)).toContain(`USING INDEX ${index} (`);
        expect(plan.join('\n'), JSON.stringify(filter)).not.toMatch(/TEMP B-TREE|^SCAN/m);
      } else {
        const plan = await postgresPlan(db, query);
        const summary = JSON.stringify(plan.map((n) => [n['Node Type'], n['Index Name']]));
        expect(
          plan.some((n) => n['Index Name'] === index),
          `${JSON.stringify(filter)}: ${summary}`,
        ).toBe(true);
        expect(
          plan.filter((n) => n['Node Type'] === 'Seq Scan' || n['Node Type'] === 'Sort'),
          `${JSON.stringify(filter)}: ${summary}`,
        ).toEqual([]);
      }
      // The page is the right one: the 50 newest matching rows before the cursor (the records' own
      // paging, merging and decoding are the conformance suite's).
      const seqs = (await pipelineListQuery(db, filter, 50, deepCursor).execute()).map((r) => Number(r.seq));
      const expected: number[] = [];
      for (let s = deepCursor - 1; s > 0 && expected.length < 50; s--) if (matches(s)) expected.push(s);
      expect(seqs).toEqual(expected);
    }
  });
});
