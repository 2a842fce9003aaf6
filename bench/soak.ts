// bench:soak — many pipelines through the noop executor, each stage writing a log, archived as they
// finish (history.archiveAfter 0s), against a real Redis and the archive database(s). Prints Redis
// used_memory over time, the archive's size, archival lag, and GET /pipelines and GET /pipelines/:id
// p50/p99 on archived pipelines against live ones; one JSON line at the end.
// Targets (issue 19): Redis memory flat after the first archival cycle and < 256 MB at the end;
// archival keeps up with the production rate; archived reads p99 ≤ 50 ms on PostgreSQL and SQLite.
//   npm run bench:soak -- --pipelines 100000 --log-kb 200 --store both
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildPushHook, randomSha } from '@ferry/doubles/gitlab';
import { createLogger } from '@ferry/shared';
import { Redis } from 'ioredis';
import { liveKeys } from '../packages/server/src/history/redis/redis-live-keys.js';
import { RedisLiveSource } from '../packages/server/src/history/redis/redis-live-source.js';
import type { LogStore } from '../packages/server/src/logs/log-store.js';
import { StaticEnvironmentMap } from '../packages/server/src/pipeline/environment-map.js';
import { type RunningFerry, startFerry } from '../packages/server/src/runtime/start-ferry.js';
import { NoopStageRunner } from '../packages/server/src/stages/noop-stage-runner.js';
import type {
  StageOutcome,
  StageRunner,
  StageRunRequest,
} from '../packages/server/src/stages/stage-runner.js';
import { testConfig, testWebhookSecret } from '../test/support/ferry.js';
import { freshPostgresDatabase } from '../test/support/history.js';
import { deletePrefix } from './lib/delete-prefix.js';
import { keyCensus } from './lib/key-census.js';

const { values } = parseArgs({
  options: {
    pipelines: { type: 'string', default: '100000' },
    'log-kb': { type: 'string', default: '200' },
    store: { type: 'string', default: 'both' },
    concurrency: { type: 'string', default: '16' },
    projects: { type: 'string', default: '200' },
    'sample-seconds': { type: 'string', default: '5' },
    reads: { type: 'string', default: '300' },
    'live-pipelines': { type: 'string', default: '300' },
    drain: { type: 'string', default: '0' },
  },
});
const pipelineCount = Number(values.pipelines);
const logBytes = Number(values['log-kb']) * 1024;
const concurrency = Number(values.concurrency);
const projectCount = Number(values.projects);
const sampleMs = Number(values['sample-seconds']) * 1000;
const readCount = Number(values.reads);
const liveCount = Number(values['live-pipelines']);
const drainCount = Number(values.drain);
const redisUrl = process.env.FERRY_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6390';
const stores = values.store === 'both' ? ['sqlite', 'postgres'] : [values.store ?? 'sqlite'];
if (stores.includes('postgres') && !process.env.FERRY_TEST_POSTGRES_URL) {
  process.env.FERRY_TEST_POSTGRES_URL = process.env.FERRY_BENCH_POSTGRES_URL;
}

/** Varied words for log lines, made once (randomness per line would measure the generator). */
const salt = Array.from({ length: 4096 }, () => randomBytes(12).toString('hex'));

/**
 * A stage's `logBytes` of build-like output as a runner's stream delivers it: 16 KB chunks of
 * differing lines (they compress like build output, not like one repeated line). Made once per
 * stage and variant, so the driver's own string building does not take the CPU Ferry is measured on;
 * Ferry still receives, stores and archives every byte of every stage.
 */
const logVariants = 8;
const madeLogs = new Map<string, string[]>();
function stageLog(stage: string, variant: number): string[] {
  const key = `${stage} ${variant}`;
  const made = madeLogs.get(key);
  if (made !== undefined) return made;
  const chunks: string[] = [];
  let chunk = '';
  for (let n = 0, written = 0; written < logBytes; n++) {
    const line = `[${stage}] step ${n}: compiling src/module-${n % 977}.ts ${salt[(n + variant * 509) % salt.length]} ok\n`;
    chunk += line;
    written += line.length;
    if (chunk.length >= 16_384) {
      chunks.push(chunk);
      chunk = '';
    }
  }
  if (chunk !== '') chunks.push(chunk);
  madeLogs.set(key, chunks);
  return chunks;
}

/** The noop executor, plus `logBytes` of build-like output per stage (what a real stage writes). */
class LoggingNoopRunner implements StageRunner {
  readonly #noop = new NoopStageRunner();
  #stages = 0;
  logs: LogStore | undefined;
  async run(request: StageRunRequest): Promise<StageOutcome> {
    const writer = this.logs!.writer(request.pipeline.id, request.stage);
    for (const chunk of stageLog(request.stage, this.#stages++ % logVariants)) {
      writer.write('stdout', chunk);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await writer.close();
    return this.#noop.run(request);
  }
  destroy(): Promise<void> {
    return Promise.resolve();
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return Number(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(2));
}

/**
 * Wall-clock p50/p99 of `urls` requested one after another, and the process CPU each took (user +
 * system, every thread: the archiver's is closed by then). On a loaded machine the wall-clock tail
 * is mostly time spent waiting for a core; the CPU figures are Ferry's own work per request.
 */
async function timeRequests(
  ferry: RunningFerry,
  urls: string[],
): Promise<{ p50: number; p99: number; cpuP50: number; cpuP99: number }> {
  const times: number[] = [];
  const cpu: number[] = [];
  for (const url of urls) {
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    const res = await ferry.app.inject({ method: 'GET', url });
    times.push(performance.now() - start);
    const used = process.cpuUsage(cpuBefore);
    cpu.push((used.user + used.system) / 1000);
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
    const body = res.json() as { items?: unknown[]; archive?: string };
    if (body.archive !== undefined) throw new Error(`${url}: archive ${body.archive}`);
    if (body.items !== undefined && body.items.length === 0) throw new Error(`${url}: an empty page`);
  }
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return {
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    cpuP50: percentile(cpu, 50),
    cpuP99: percentile(cpu, 99),
  };
}

/**
 * Whether Redis stays flat while pipelines are produced, from the first sample after the first
 * archival cycle: its range, and the slope of used_memory against pipelines finished (least squares,
 * MB per 1,000 pipelines; about 0 when flat, ~600 when every pipeline's 3 × 200 KB log stayed).
 */
function flatness(
  samples: ReadonlyArray<{
    s: number;
    usedMemory: number;
    finished: number;
    archived: number;
    producing: boolean;
  }>,
) {
  const points = samples.filter((p) => p.producing && p.archived > 0);
  if (points.length < 2) return { samples: points.length };
  const mb = points.map((p) => p.usedMemory / 1_048_576);
  const xs = points.map((p) => p.finished / 1000);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = mb.reduce((a, b) => a + b, 0) / mb.length;
  let num = 0;
  let den = 0;
  xs.forEach((x, i) => {
    num += (x - mx) * (mb[i]! - my);
    den += (x - mx) ** 2;
  });
  return {
    samples: points.length,
    fromSecond: points[0]!.s,
    minMb: Number(Math.min(...mb).toFixed(1)),
    maxMb: Number(Math.max(...mb).toFixed(1)),
    slopeMbPer1000Pipelines: den === 0 ? 0 : Number((num / den).toFixed(2)),
  };
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
}

async function soak(kind: string) {
  const prefix = `soak${randomUUID().slice(0, 6)}`;
  // The SQLite archive of 100,000 pipelines is about 17 GB: removed when the soak ends.
  const sqliteDir = kind === 'postgres' ? undefined : mkdtempSync(join(tmpdir(), 'ferry-soak-'));
  const history =
    sqliteDir === undefined
      ? { kind, postgres: { url: { env: 'FERRY_SOAK_HISTORY_URL' } } }
      : { kind, sqlite: { file: join(sqliteDir, 'history.sqlite') } };
  const env: Record<string, string> =
    kind === 'postgres' ? { FERRY_SOAK_HISTORY_URL: await freshPostgresDatabase() } : {};
  const { config } = testConfig(
    {
      executor: { kind: 'noop' },
      redis: { url: redisUrl, keyPrefix: prefix },
      limits: { concurrency },
      history: { ...history, archiveAfter: '0s', interval: '1s', batch: 500 },
      log: { level: 'warn' },
    },
    env,
  );
  const runner = new LoggingNoopRunner();
  const ferry = await startFerry({
    config,
    logger: createLogger({ level: process.env.FERRY_BENCH_LOG ?? 'warn' }),
    redisUrl,
    environments: new StaticEnvironmentMap([
      { environment: 'test', branch: 'test', supersede: false, priority: 10, approval: false },
    ]),
    defaultMetrics: false,
    runner,
  });
  runner.logs = ferry.ctx.logs;
  const redis = new Redis(redisUrl);
  const loadAtStart = loadavg();
  const samples: Array<{
    s: number;
    usedMemory: number;
    finished: number;
    backlog: number;
    lagSeconds: number;
    archived: number;
    archiveBytes: number;
    producing: boolean;
  }> = [];
  // Read straight from Redis at each sample (the gauges are set per cycle, stale during a long one).
  const live = new RedisLiveSource(redis, liveKeys(prefix), ferry.ctx.store);
  let started = Date.now();
  let sent = 0;
  let maxLagSeconds = 0;
  let producedAt: number | undefined;
  const gauge = async (name: string) => {
    const text = await ferry.ctx.metrics.registry.getSingleMetricAsString(name);
    return Number(/ (\d+(?:\.\d+)?)$/m.exec(text)?.[1] ?? 0);
  };
  // The event stream's length, and how far behind its newest entry reporting's cursor is (seconds).
  const keys = liveKeys(prefix);
  const eventStreams = async () => {
    const [newest] = await redis.xrevrange(keys.events, '+', '-', 'COUNT', 1);
    const cursor = (await redis.get(keys.reportingCursor)) ?? '0-0';
    const ms = (id: string) => Number(id.split('-')[0]);
    return {
      events: await redis.xlen(keys.events),
      reportingBehindSeconds: newest === undefined ? 0 : Math.max(0, (ms(newest[0]) - ms(cursor)) / 1000),
      bullEvents: await redis.xlen(`${prefix}:bull:ferry-pipelines:events`),
    };
  };
  const sample = async () => {
    const active = (await ferry.ctx.store.nonTerminalIds()).length;
    const now = new Date();
    const waiting = await live.due(now.toISOString(), 0);
    const oldest =
      waiting.oldestFinishedAt === undefined ? now.getTime() : Date.parse(waiting.oldestFinishedAt);
    const point = {
      s: Math.round((Date.now() - started) / 1000),
      usedMemory: await usedMemory(redis),
      finished: sent - active,
      backlog: waiting.backlog,
      lagSeconds: Math.max(0, (now.getTime() - oldest) / 1000),
      archived: await gauge('ferry_history_archived_total'),
      archiveBytes: await ferry.history.store.sizeBytes(),
      ...(await eventStreams()),
      producing: producedAt === undefined,
      load1: Number(loadavg()[0]!.toFixed(2)),
    };
    maxLagSeconds = Math.max(maxLagSeconds, point.lagSeconds);
    samples.push(point);
    process.stderr.write(`[soak ${kind}] ${JSON.stringify(point)}\n`);
  };
  const push = async (branch = 'test') => {
    const projectId = 20_000 + (sent % projectCount);
    const hook = buildPushHook({
      branch,
      after: randomSha(),
      project: { id: projectId, pathWithNamespace: `soak/s${projectId}` },
    });
    const res = await ferry.app.inject({
      method: 'POST',
      url: '/webhooks/gitlab',
      headers: { 'x-gitlab-token': testWebhookSecret, 'x-gitlab-event': 'Push Hook' },
      payload: hook as unknown as Record<string, unknown>,
    });
    if (res.statusCode !== 201) throw new Error(`webhook: ${res.statusCode} ${res.body}`);
    sent += 1;
    return (res.json() as { pipelineId: string }).pipelineId;
  };
  // Drain (--drain N): archival alone, nothing else running. N pipelines finish while "another
  // replica" holds the archiver's lease; then archival moves them all: its own rate and the process
  // CPU it took per pipeline (zlib's thread pool included), which the machine's load does not change.
  let drain: Record<string, number> | undefined;
  if (drainCount > 0) {
    const lease = liveKeys(prefix).archiverLease;
    await redis.set(lease, 'bench-hold', 'PX', 3_600_000);
    while (sent < drainCount) {
      const room = concurrency * 4 - (await ferry.ctx.store.nonTerminalIds()).length;
      for (let i = 0; i < room && sent < drainCount; i++) await push();
      if (room <= 0) await new Promise((r) => setTimeout(r, 20));
    }
    while ((await ferry.ctx.store.nonTerminalIds()).length > 0) await new Promise((r) => setTimeout(r, 100));
    const heldMemory = await usedMemory(redis);
    const cpuBefore = process.cpuUsage();
    const drainStart = performance.now();
    let moved = 0;
    for (;;) {
      const { archived, backlog } = await ferry.history.archiver.cycle();
      moved += archived;
      if (backlog <= 0) break;
    }
    const seconds = (performance.now() - drainStart) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    await redis.del(lease);
    drain = {
      pipelines: moved,
      seconds: Number(seconds.toFixed(1)),
      pipelinesPerSecond: Number((moved / seconds).toFixed(1)),
      cpuMsPerPipeline: Number(((cpu.user + cpu.system) / 1000 / Math.max(1, moved)).toFixed(2)),
      redisHeldMb: Number((heldMemory / 1_048_576).toFixed(1)),
      redisAfterMb: Number(((await usedMemory(redis)) / 1_048_576).toFixed(1)),
      load1: Number(loadavg()[0]!.toFixed(2)),
    };
    process.stderr.write(`[soak ${kind}] drain ${JSON.stringify(drain)}\n`);
    sent = 0;
    started = Date.now();
  }
  const timer = setInterval(() => void sample().catch(() => {}), sampleMs);
  // Keep a few lanes' worth in flight: the production rate is what the worker sustains.
  while (sent < pipelineCount) {
    const active = (await ferry.ctx.store.nonTerminalIds()).length;
    const room = concurrency * 4 - active;
    for (let i = 0; i < room && sent < pipelineCount; i++) await push();
    if (room <= 0) await new Promise((r) => setTimeout(r, 20));
  }
  while ((await ferry.ctx.store.nonTerminalIds()).length > 0) await new Promise((r) => setTimeout(r, 100));
  producedAt = Date.now();
  const productionSeconds = (producedAt - started) / 1000;
  // Archival catches up.
  for (;;) {
    await ferry.history.archiver.cycle().catch(() => undefined);
    if ((await gauge('ferry_history_archive_backlog')) === 0) break;
  }
  const catchUpSeconds = (Date.now() - producedAt) / 1000;
  clearInterval(timer);
  await sample();
  // What is left in Redis once everything finished is archived: nothing here should scale with
  // the pipelines run (see redisKeysAtEnd).
  const census = await keyCensus(redis, prefix);
  const archivedIds = (await ferry.history.store.list({}, readCount)).map((p) => p.record.id);
  // The newest archived page, the oldest one (a deep cursor: 10% of the archive left below it), and a
  // deep page of one project among `projects` (a filter that matches one pipeline in 200).
  const newestArchived = (await ferry.history.store.list({}, 1, undefined))[0]?.seq ?? 1;
  const deepCursor = Math.max(51, Math.floor(newestArchived / 10));
  const project = `soak/s${20_000 + (projectCount >> 1)}`;
  const projectCursor = Math.min(newestArchived + 1, Math.max(deepCursor, projectCount * 51)).toString(36);
  // Live ones: the archiver stops; these stay in Redis.
  await ferry.history.archiver.close();
  const liveIds: string[] = [];
  for (let i = 0; i < liveCount; i++) liveIds.push(await push());
  while ((await ferry.ctx.store.nonTerminalIds()).length > 0) await new Promise((r) => setTimeout(r, 100));
  const pick = (ids: string[]) => Array.from({ length: readCount }, (_, i) => ids[i % ids.length]!);
  const reads = {
    getArchived: await timeRequests(
      ferry,
      pick(archivedIds).map((id) => `/api/v1/pipelines/${id}`),
    ),
    getLive: await timeRequests(
      ferry,
      pick(liveIds).map((id) => `/api/v1/pipelines/${id}`),
    ),
    listLive: await timeRequests(
      ferry,
      pick(['']).map(() => '/api/v1/pipelines?limit=50'),
    ),
    listArchived: await timeRequests(
      ferry,
      pick(['']).map(() => `/api/v1/pipelines?limit=50&cursor=${(newestArchived + 1).toString(36)}`),
    ),
    listArchivedDeep: await timeRequests(
      ferry,
      pick(['']).map(() => `/api/v1/pipelines?limit=50&cursor=${deepCursor.toString(36)}`),
    ),
    // As deep as leaves a full page of the project below the cursor (51 of its pipelines).
    listArchivedProjectDeep: await timeRequests(
      ferry,
      pick(['']).map(
        () => `/api/v1/pipelines?limit=50&project=${encodeURIComponent(project)}&cursor=${projectCursor}`,
      ),
    ),
  };
  const result = {
    store: kind,
    pipelines: pipelineCount,
    logBytesPerStage: logBytes,
    productionSeconds: Number(productionSeconds.toFixed(1)),
    pipelinesPerSecond: Number((pipelineCount / productionSeconds).toFixed(1)),
    archivalCatchUpSeconds: Number(catchUpSeconds.toFixed(1)),
    maxArchivalLagSeconds: Number(maxLagSeconds.toFixed(1)),
    maxArchivalBacklog: Math.max(0, ...samples.map((s) => s.backlog)),
    redisUsedMemoryPeakMb: Number((Math.max(0, ...samples.map((s) => s.usedMemory)) / 1_048_576).toFixed(1)),
    redisUsedMemoryMb: samples.map((s) => Number((s.usedMemory / 1_048_576).toFixed(1))),
    redisUsedMemoryEndMb: Number(((samples.at(-1)?.usedMemory ?? 0) / 1_048_576).toFixed(1)),
    redisWhileProducing: flatness(samples),
    redisKeysAtEnd: census,
    archiveMb: Number(((samples.at(-1)?.archiveBytes ?? 0) / 1_048_576).toFixed(1)),
    readsMs: reads,
    ...(drain === undefined ? {} : { drain }),
    // The machine's load beside the figures: they are only comparable under similar load.
    machine: {
      cpus: cpus().length,
      loadAverageAtStart: loadAtStart.map((l) => Number(l.toFixed(2))),
      loadAverageAtEnd: loadavg().map((l) => Number(l.toFixed(2))),
    },
  };
  await ferry.close();
  // The live pipelines stay behind otherwise and would weigh on the next store's figures.
  await deletePrefix(redis, prefix);
  redis.disconnect();
  if (sqliteDir !== undefined) rmSync(sqliteDir, { recursive: true, force: true });
  return result;
}

const results = [];
for (const kind of stores) results.push(await soak(kind));
process.stdout.write(`${JSON.stringify({ bench: 'soak', results })}\n`);
process.exit(0);
