import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildMergeRequestHook,
  buildPushHook,
  buildTagPushHook,
  randomSha,
  ZERO_SHA,
} from '@ferry/doubles/gitlab';
import type { PipelineRecord } from '@ferry/shared';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaticEnvironmentMap } from '../../packages/server/src/pipeline/environment-map.js';
import { rule } from '../api/api-support.js';
import { startTestFerry, type TestFerry, testWebhookSecret } from '../support/ferry.js';
import { testRedisUrl } from '../support/services.js';

/**
 * The game day's webhook fuzzer, bounded, in the suite: property-based (fast-check) mutations of
 * GitLab's payload shapes (Push Hook, Tag Push Hook, Merge Request Hook, from the GitLab double's
 * builders over saved GitLab payloads) sent to an in-process Ferry (fastify inject) on the real
 * Redis. Every answer is below 500; a pipeline exists only where the payload, as sent, names an
 * environment branch with the right token and a commit, and carries that payload's project and
 * commit; the store holds no pipeline no answer announced; no shell text in any field ran.
 *
 * The worker is off: intake is what the fuzzer drives (what a stage runs is the executors' tests).
 */
const CASES = Number(process.env.FERRY_FUZZ_CASES ?? 2500);
const branches = { test: 'test', staging: 'staging', prod: 'master' } as const;
const environmentBranches = new Set<string>(Object.values(branches));
const marker = join(tmpdir(), `ferry-fuzz-ran-${process.pid}`);
const shell = [`$(touch ${marker})`, `\`touch ${marker}\``, `; touch ${marker} #`, `' && touch ${marker} '`];

// Values that replace a field: GitLab's own shapes broken in the ways the game day tried.
const loneSurrogate = fc.constantFrom('\ud800', '\udfff', 'a\ud83dz', '\udc00\ud800');
const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  loneSurrogate.map((s) => `title ${s} end`),
  fc.constantFrom(
    ...shell,
    '<script>alert(1)</script>',
    '\u0000\u202e',
    '../../etc/passwd',
    '%00',
    '{{7*7}}',
  ),
  // Huge strings: past every bound Ferry keeps (titles 1000 characters, fields 255–2048, body 1 MiB).
  fc.integer({ min: 2_000, max: 300_000 }).map((n) => 'x'.repeat(n)),
  fc.integer({ min: 1, max: 5 }).map((n) => '\ud800'.repeat(n * 1000)),
);
const wrongType = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
  fc.constant(Number.MAX_SAFE_INTEGER),
  fc.constant(-1),
);
const anyValue = fc.oneof({ weight: 3, arbitrary: hostileText }, { weight: 2, arbitrary: wrongType });
const branchName = fc.oneof(
  fc.constantFrom(...environmentBranches),
  fc.constantFrom(
    'feature/x',
    'main',
    'test ',
    'TEST',
    'test/../master',
    `test${shell[0]}`,
    'refs/heads/test',
  ),
  hostileText,
);

type Json = Record<string, unknown>;

/** Where a mutation lands: a path of keys into the payload. */
const fieldPaths: Record<'push' | 'merge_request', string[][]> = {
  push: [
    ['object_kind'],
    ['ref'],
    ['before'],
    ['after'],
    ['checkout_sha'],
    ['user_username'],
    ['user_name'],
    ['project'],
    ['project', 'id'],
    ['project', 'path_with_namespace'],
    ['project', 'web_url'],
    ['project', 'git_http_url'],
    ['commits'],
    ['commits', '0', 'id'],
    ['commits', '0', 'message'],
    ['commits', '0', 'title'],
    ['total_commits_count'],
  ],
  merge_request: [
    ['object_kind'],
    ['user'],
    ['user', 'username'],
    ['user', 'name'],
    ['project', 'id'],
    ['project', 'path_with_namespace'],
    ['project', 'git_http_url'],
    ['object_attributes'],
    ['object_attributes', 'action'],
    ['object_attributes', 'iid'],
    ['object_attributes', 'title'],
    ['object_attributes', 'target_branch'],
    ['object_attributes', 'source_branch'],
    ['object_attributes', 'merge_commit_sha'],
    ['object_attributes', 'last_commit', 'id'],
    ['object_attributes', 'source_project_id'],
    ['object_attributes', 'state'],
  ],
};

interface Mutation {
  path: number;
  op: 'set' | 'delete';
  value: unknown;
}

function mutate(payload: Json, paths: string[][], m: Mutation): void {
  const path = paths[m.path % paths.length]!;
  let node: unknown = payload;
  for (const key of path.slice(0, -1)) {
    if (typeof node !== 'object' || node === null) return;
    node = (node as Json)[key];
  }
  if (typeof node !== 'object' || node === null) return;
  const last = path.at(-1)!;
  if (m.op === 'delete') delete (node as Json)[last];
  else (node as Json)[last] = m.value;
}

const mutation = fc.record({
  path: fc.nat(),
  op: fc.constantFrom<'set' | 'delete'>('set', 'set', 'set', 'delete'),
  value: anyValue,
});

const delivery = fc.record({
  kind: fc.constantFrom('push', 'tag', 'merge', 'ff-merge', 'open', 'update', 'close'),
  projectId: fc.integer({ min: 1, max: 12 }),
  branch: branchName,
  title: hostileText,
  sha: fc.oneof({ weight: 4, arbitrary: fc.constant('fresh') }, fc.constant('zero'), fc.constant('reuse')),
  mutations: fc.array(mutation, { maxLength: 4 }),
  token: fc.oneof(
    { weight: 8, arbitrary: fc.constant(testWebhookSecret) },
    fc.constant(undefined),
    fc.constantFrom('', 'wrong', `${testWebhookSecret} `, testWebhookSecret.toUpperCase()),
  ),
  event: fc.oneof(
    { weight: 8, arbitrary: fc.constant('natural') },
    fc.constantFrom('Push Hook', 'Merge Request Hook', 'Tag Push Hook', 'System Hook', '', 'push hook'),
  ),
  body: fc.oneof(
    { weight: 10, arbitrary: fc.constant('json') },
    fc.constantFrom('truncated', 'array', 'not-json', 'invalid-utf8', 'text/plain'),
  ),
});
type Delivery = typeof delivery extends fc.Arbitrary<infer T> ? T : never;

const reused: string[] = [randomSha()];

function payloadOf(d: Delivery): { payload: Json; event: string } {
  const sha = d.sha === 'zero' ? ZERO_SHA : d.sha === 'reuse' ? reused[0]! : randomSha();
  const project = { id: 5000 + d.projectId, pathWithNamespace: `fuzz/service-${d.projectId}` };
  const branch = typeof d.branch === 'string' ? d.branch : 'test';
  let payload: Json;
  let event: string;
  let kind: 'push' | 'merge_request';
  if (d.kind === 'push' || d.kind === 'tag') {
    payload = (d.kind === 'tag'
      ? buildTagPushHook({ tag: branch, project })
      : buildPushHook({ branch, after: sha, project, commitMessage: d.title })) as unknown as Json;
    event = d.kind === 'tag' ? 'Tag Push Hook' : 'Push Hook';
    kind = 'push';
  } else {
    payload = buildMergeRequestHook({
      action: d.kind === 'ff-merge' ? 'merge' : d.kind,
      iid: d.projectId,
      title: d.title,
      sourceBranch: 'feature/fuzz',
      targetBranch: branch,
      lastCommit: { id: sha, message: d.title },
      project,
      // A fast-forward merge names no merge commit (GitLab 17.x `MergeRequestBuilder`).
      ...(d.kind === 'merge'
        ? { mergeCommitSha: sha }
        : d.kind === 'ff-merge'
          ? { mergeCommitSha: null }
          : {}),
    }) as unknown as Json;
    event = 'Merge Request Hook';
    kind = 'merge_request';
  }
  for (const m of d.mutations) mutate(payload, fieldPaths[kind], m);
  return { payload, event: d.event === 'natural' ? event : d.event };
}

function bodyOf(d: Delivery, payload: Json): { body: string | Buffer; contentType: string } {
  const json = JSON.stringify(payload);
  switch (d.body) {
    case 'truncated':
      return {
        body: json.slice(0, Math.max(1, Math.floor(json.length / 2))),
        contentType: 'application/json',
      };
    case 'array':
      return { body: `[${json}]`, contentType: 'application/json' };
    case 'not-json':
      return { body: `ref=refs/heads/test&${json.slice(0, 50)}`, contentType: 'application/json' };
    case 'invalid-utf8':
      return {
        body: Buffer.concat([
          Buffer.from(json.slice(0, 20)),
          Buffer.from([0xff, 0xfe, 0xc3]),
          Buffer.from(json.slice(20)),
        ]),
        contentType: 'application/json',
      };
    case 'text/plain':
      return { body: json, contentType: 'text/plain' };
    default:
      return { body: json, contentType: 'application/json' };
  }
}

/** Issue 12: intake replaces lone surrogates with U+FFFD (what String#toWellFormed does). */
const wellFormed = (v: unknown): unknown =>
  typeof v === 'string'
    ? v.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
    : v;

/** A field of the payload as sent, as intake stores text. */
const at = (o: unknown, ...path: string[]): unknown =>
  wellFormed(
    path.reduce<unknown>((n, k) => (typeof n === 'object' && n !== null ? (n as Json)[k] : undefined), o),
  );

/**
 * Whether the payload, as sent, may yield this pipeline: the right token, an environment branch
 * named where GitLab names it, and the record carries the payload's project and one of its commits.
 */
function pipelineAllowed(
  d: Delivery,
  payload: Json,
  event: string,
  record: PipelineRecord,
  result: string | undefined,
): string | undefined {
  if (d.token !== testWebhookSecret) return 'a pipeline from a wrong or missing token';
  if (record.project.id !== at(payload, 'project', 'id')) return 'a project id the payload did not send';
  // A duplicate is found by project id and commit (GitLab's id outlives a rename; the path does
  // not), so only a pipeline this payload created must carry its path.
  if (result === 'created' && record.project.path !== at(payload, 'project', 'path_with_namespace'))
    return 'a project path the payload did not send';
  if (at(payload, 'object_kind') === 'push') {
    // GitLab always names the event; a delivery without the header is classified by its payload.
    if (event !== '' && event !== 'Push Hook') return `a push pipeline from event ${event}`;
    const ref = at(payload, 'ref');
    if (
      typeof ref !== 'string' ||
      !environmentBranches.has(ref.replace(/^refs\/heads\//, '')) ||
      !ref.startsWith('refs/heads/')
    )
      return `a push pipeline for ref ${String(ref)}`;
    const sha = at(payload, 'checkout_sha') ?? at(payload, 'after');
    if (record.sha !== sha || /^0+$/.test(record.sha)) return `a push pipeline for sha ${record.sha}`;
    return undefined;
  }
  if (at(payload, 'object_kind') === 'merge_request') {
    if (event !== '' && event !== 'Merge Request Hook') return `a merge request pipeline from event ${event}`;
    if (!environmentBranches.has(String(at(payload, 'object_attributes', 'target_branch'))))
      return 'a merge request pipeline into a branch that is no environment branch';
    const shas = [
      at(payload, 'object_attributes', 'merge_commit_sha'),
      at(payload, 'object_attributes', 'last_commit', 'id'),
    ];
    if (!shas.includes(record.sha)) return `a merge request pipeline for sha ${record.sha}`;
    return undefined;
  }
  return `a pipeline from object_kind ${String(at(payload, 'object_kind'))}`;
}

/**
 * Whether a merge hook that named no merge commit may have annotated this pipeline (Ferry without
 * GitLab's API, `noteMergeScript`): the right token and event, a merge into an environment branch
 * with `merge_commit_sha` absent or null, and the pipeline is a push pipeline of that project and
 * branch, of the merge request's source head or pushed by the merging user. CI once failed on
 * this: the oracle held annotated answers to the merge request's own commits.
 */
function annotationAllowed(
  d: Delivery,
  payload: Json,
  event: string,
  record: PipelineRecord,
  pushedBy: ReadonlyMap<string, unknown>,
): string | undefined {
  if (d.token !== testWebhookSecret) return 'an annotation from a wrong or missing token';
  if (at(payload, 'object_kind') !== 'merge_request')
    return 'an annotation from a payload that is no merge request';
  if (event !== '' && event !== 'Merge Request Hook') return `an annotation from event ${event}`;
  if (at(payload, 'object_attributes', 'action') !== 'merge')
    return 'an annotation from an action other than merge';
  if (at(payload, 'object_attributes', 'merge_commit_sha') != null)
    return 'an annotation from a merge that named its merge commit';
  const target = at(payload, 'object_attributes', 'target_branch');
  if (typeof target !== 'string' || !environmentBranches.has(target) || record.ref !== target)
    return `an annotation of a pipeline on ${record.ref} for target ${String(target)}`;
  if (record.project.id !== at(payload, 'project', 'id')) return 'an annotation in another project';
  if (!pushedBy.has(record.id)) return 'an annotation of a pipeline no push created';
  const sourceHead = at(payload, 'object_attributes', 'last_commit', 'id');
  if (record.sha !== sourceHead && pushedBy.get(record.id) !== at(payload, 'user', 'username'))
    return 'an annotation of another user’s push that is not the source head';
  if (record.trigger !== 'merge') return `an annotated pipeline with trigger ${record.trigger}`;
  return undefined;
}

describe('webhook fuzzer (game day, bounded)', () => {
  let t: TestFerry;
  let redis: Redis;
  beforeAll(async () => {
    rmSync(marker, { force: true });
    t = await startTestFerry({
      worker: false,
      listen: false,
      environments: new StaticEnvironmentMap([
        rule('test', branches.test),
        rule('staging', branches.staging),
        rule('prod', branches.prod, { approval: true, priority: 1 }),
      ]),
    });
    redis = new Redis(testRedisUrl());
  });
  afterAll(async () => {
    await t?.close();
    redis?.disconnect();
    rmSync(marker, { force: true });
  });

  it(`answers ${CASES} mutated GitLab deliveries below 500, with only the pipelines they name`, async () => {
    const statuses = new Map<number, number>();
    const created = new Set<string>();
    /** Pipelines a push delivery created, with the pushing user (what a merge note may annotate). */
    const pushedBy = new Map<string, unknown>();
    let cases = 0;
    let annotated = 0;
    const seed = Number(process.env.FERRY_FUZZ_SEED ?? Date.now() % 2 ** 31);
    await fc.assert(
      fc.asyncProperty(delivery, async (d) => {
        cases++;
        const { payload: built, event } = payloadOf(d);
        const { body, contentType } = bodyOf(d, built);
        // The oracles judge the payload as sent: JSON has no NaN or Infinity (they go as null) and
        // no -0, so a double the generator put in a field reaches Ferry as JSON made it. CI failed
        // on this once (seed 1310955344): checkout_sha NaN went as null, Ferry rightly took `after`.
        const payload = JSON.parse(JSON.stringify(built)) as Json;
        const headers: Record<string, string> = {
          'content-type': contentType,
          'user-agent': 'GitLab/17.8.1',
        };
        if (event !== '') headers['x-gitlab-event'] = event;
        if (d.token !== undefined) headers['x-gitlab-token'] = d.token;
        const res = await t.ferry.app.inject({
          method: 'POST',
          url: '/webhooks/gitlab',
          headers,
          payload: body,
        });
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        expect(res.statusCode, res.body.slice(0, 300)).toBeLessThan(500);
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        const answer = res.json() as { result?: string; pipelineId?: string };
        if (answer.pipelineId === undefined) return;
        const record = await t.ferry.ctx.store.get(answer.pipelineId);
        expect(record, `answer names pipeline ${answer.pipelineId}`).toBeDefined();
        if (answer.result === 'created') {
          created.add(answer.pipelineId);
          if (at(payload, 'object_kind') === 'push')
            pushedBy.set(answer.pipelineId, at(payload, 'user_username'));
        }
        if (answer.result === 'annotated') {
          annotated++;
          // A merge hook without merge_commit_sha starts nothing: it annotates its push's pipeline.
          expect(annotationAllowed(d, payload, event, record!, pushedBy)).toBeUndefined();
          return;
        }
        // A duplicate answer names a pipeline an earlier delivery made; it must fit this payload too.
        expect(pipelineAllowed(d, payload, event, record!, answer.result)).toBeUndefined();
      }),
      {
        numRuns: CASES,
        seed,
        endOnFailure: true,
      },
    );
    // The store holds exactly the pipelines the answers announced: none made silently.
    expect(await redis.zcard(`${t.prefix}:idx:all`)).toBe(created.size);
    expect(existsSync(marker)).toBe(false);
    console.log(
      `webhook fuzzer (seed ${seed}): ${cases} deliveries, ${created.size} pipelines created, ${annotated} annotated by a merge; answers by status ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`,
    );
    expect(cases).toBeGreaterThanOrEqual(2000);
    // The generator reaches both sides: deliveries that make pipelines and deliveries refused.
    // About 2.3% of deliveries make a pipeline (46–77 of 2,500, mean 57, over seeds 1001–1006
    // since fast-forward merges, which start nothing, joined the kinds), a count with a standard
    // deviation near 8: the bound (1%, 25 here) sits about four deviations below the mean,
    // so no seed should trip it, while a generator that stopped reaching the accepting side (0–5
    // pipelines) still fails. The failing seed is printed.
    expect(created.size, `seed ${seed}`).toBeGreaterThanOrEqual(Math.max(1, Math.floor(CASES * 0.01)));
    expect([...statuses.keys()].some((s) => s >= 400)).toBe(true);
  }, 120_000);
});
