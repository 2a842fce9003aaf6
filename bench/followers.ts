// bench:followers — live stage-log followers (SSE) on one Ferry (`ferry serve --role api`, a real
// process on a real Redis): N followers of live logs (lines written all along), spread over several
// logs and API tokens. Prints Redis' connected clients (Ferry's own), /healthz latency with the
// followers open next to the same measure with none open in the same run (the ratio matters on a
// noisy machine; measured from a process of its own, bench/lib/healthz-probe.ts, so the client's
// event loop, busy with the followers, adds nothing), Ferry's memory, the machine's load, one JSON line.
// Targets (issue 12): 2,000 followers, Redis clients < 20, /healthz p99 < 50 ms.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildPushHook, randomSha, sendWebhook } from '@ferry/doubles/gitlab';
import { Redis } from 'ioredis';
import { RedisLogStore } from '../packages/server/src/logs/redis/redis-log-store.js';
import { freePort } from '../packages/server/src/redis/embedded-redis.js';
import { deletePrefix } from './lib/delete-prefix.js';
import { processCpuSeconds, processMemoryMb } from './lib/processes.js';

const { values } = parseArgs({
  options: {
    followers: { type: 'string', default: '2000' },
    logs: { type: 'string', default: '50' },
    tokens: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '15' },
  },
});
const followerCount = Number(values.followers);
const logCount = Number(values.logs);
const tokenCount = Number(values.tokens);
const seconds = Number(values.seconds);
const redisUrl = process.env.FERRY_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6390';
const prefix = `benchf${randomUUID().slice(0, 6)}`;
const secret = `bench-secret-${randomUUID()}`;
const tokens = Array.from({ length: tokenCount }, (_, i) => `bench-viewer-${i}-${randomUUID()}`);
const load = () => loadavg().map((l) => Number(l.toFixed(2)));
const loadAtStart = load();

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Ferry's connections to Redis: every client but the bench's own (named bench-*). */
async function redisClients(probe: Redis): Promise<{ ferry: number; total: number }> {
  const list = (await probe.client('LIST')) as string;
  const lines = list.trim().split('\n');
  const bench = lines.filter((l) => /\bname=bench-/.test(l)).length;
  return { ferry: lines.length - bench, total: lines.length };
}

/** /healthz latencies (ms, sorted) measured by bench/lib/healthz-probe.ts in a process of its own. */
async function healthzLatencies(url: string, ms: number): Promise<number[]> {
  const probe = fileURLToPath(new URL('./lib/healthz-probe.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', probe, url, String(ms)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`the /healthz probe exited ${code}`);
  return JSON.parse(out) as number[];
}

interface OpenFollower {
  status: number;
  events: number;
  ended: boolean;
  close(): void;
}

/** One SSE follower on a connection of its own; counts `lines` events. */
function openFollower(url: string, token: string): Promise<OpenFollower> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      url,
      { agent: false, headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` } },
      (res) => {
        const f: OpenFollower = {
          status: res.statusCode ?? 0,
          events: 0,
          ended: false,
          close: () => req.destroy(),
        };
        res.setEncoding('utf8');
        res.on('data', (text: string) => {
          f.events += text.split('event: lines').length - 1;
        });
        res.on('end', () => {
          f.ended = true;
        });
        res.on('error', () => {
          f.ended = true;
        });
        resolve(f);
      },
    );
    req.on('error', reject);
  });
}

async function startFerry(): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const configFile = `/tmp/${prefix}.json`;
  const perCaller = Math.ceil(followerCount / tokenCount);
  writeFileSync(
    configFile,
    JSON.stringify({
      redis: { url: redisUrl, keyPrefix: prefix },
      log: { level: 'warn' },
      executor: { kind: 'noop' },
      server: { maxConnectionsPerClient: followerCount + 200 },
      auth: {
        anonymousRead: false,
        tokens: tokens.map((_, i) => ({
          name: `viewer-${i}`,
          token: { env: `BENCH_TOKEN_${i}` },
          role: 'viewer',
        })),
      },
      limits: { logFollowers: { perCaller, total: followerCount } },
    }),
  );
  const child = spawn(
    process.execPath,
    [
      fileURLToPath(new URL('../packages/server/bin/ferry.js', import.meta.url)),
      'serve',
      '--role',
      'api',
      '--config',
      configFile,
    ],
    {
      env: {
        ...process.env,
        FERRY_PORT: String(port),
        FERRY_WEBHOOK_SECRET: secret,
        ...Object.fromEntries(tokens.map((t, i) => [`BENCH_TOKEN_${i}`, t])),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 400; i++) {
    if (child.exitCode !== null) throw new Error(`ferry exited (${child.exitCode})`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) return { child, url };
    } catch {}
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('ferry did not become ready');
}

const probe = new Redis(redisUrl, { connectionName: 'bench-probe' });
const writerRedis = new Redis(redisUrl, { connectionName: 'bench-writers' });
const { child: ferry, url } = await startFerry();
const followers: OpenFollower[] = [];
let writing: NodeJS.Timeout | undefined;
try {
  console.log(
    `bench:followers — ${followerCount} followers of ${logCount} live logs, ${tokenCount} tokens, ${seconds}s per measure; ` +
      `load average at start ${loadAtStart.join(' ')} (2 cores shared with other work: read figures with the load beside them)`,
  );
  // Pipelines that stay queued (the api role runs no worker): their test stages are live logs.
  const ids: string[] = [];
  for (let i = 0; i < logCount; i++) {
    const res = await sendWebhook(
      `${url}/webhooks/gitlab`,
      'Push Hook',
      buildPushHook({
        branch: 'test',
        after: randomSha(),
        project: { id: 70_000 + i, pathWithNamespace: `bench/followers-${i}` },
      }),
      { token: secret },
    );
    if (res.status !== 201) throw new Error(`webhook answered ${res.status}`);
    ids.push((res.json as { pipelineId: string }).pipelineId);
  }
  // The runners' side: every log gets a line every 100 ms (what a busy build prints), all along.
  const logs = new RedisLogStore(writerRedis, { prefix, capBytes: 16 * 1024 * 1024 });
  const writers = ids.map((id) => logs.writer(id, 'test'));
  let tick = 0;
  writing = setInterval(() => {
    tick++;
    for (const w of writers)
      w.write('stdout', `step ${tick}: compiling module ${tick % 97} ${'x'.repeat(60)}\n`);
  }, 100);

  await healthzLatencies(url, 2000); // warm-up
  const baseCpuStart = processCpuSeconds(ferry.pid!);
  const base = await healthzLatencies(url, seconds * 1000);
  const baseCpu = (processCpuSeconds(ferry.pid!) - baseCpuStart) / seconds;
  const baseClients = await redisClients(probe);
  const baseMem = processMemoryMb(ferry.pid!);
  console.log(
    `0 followers: /healthz p50 ${percentile(base, 50).toFixed(1)} ms, p99 ${percentile(base, 99).toFixed(1)} ms ` +
      `(${base.length} requests); Redis clients of Ferry ${baseClients.ferry}; Ferry RSS ${baseMem.rss.toFixed(0)} MB`,
  );

  const openedAt = Date.now();
  for (let n = 0; n < followerCount; n += 100) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(100, followerCount - n) }, (_, k) =>
        openFollower(
          `${url}/api/v1/pipelines/${ids[(n + k) % logCount]}/stages/test/log`,
          tokens[(n + k) % tokenCount]!,
        ),
      ),
    );
    followers.push(...batch);
  }
  const open = followers.filter((f) => f.status === 200).length;
  console.log(
    `${open} of ${followerCount} followers open (200) in ${((Date.now() - openedAt) / 1000).toFixed(1)} s`,
  );
  // One more, past the total: the cap answers 429.
  const extra = await openFollower(`${url}/api/v1/pipelines/${ids[0]}/stages/test/log`, tokens[0]!);
  extra.close();
  await new Promise((r) => setTimeout(r, 1000));
  const eventsBefore = followers.map((f) => f.events);
  const cpuStart = processCpuSeconds(ferry.pid!);
  const during = await healthzLatencies(url, seconds * 1000);
  const cpu = (processCpuSeconds(ferry.pid!) - cpuStart) / seconds;
  const clients = await redisClients(probe);
  const mem = processMemoryMb(ferry.pid!);
  const got = followers.map((f, i) => f.events - eventsBefore[i]!).sort((a, b) => a - b);
  const live = got.filter((e) => e > 0).length;
  const endedEarly = followers.filter((f) => f.ended).length;
  const p99 = percentile(during, 99);
  const baseP99 = percentile(base, 99);
  console.log(
    `${followerCount} followers: /healthz p50 ${percentile(during, 50).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, ` +
      `max ${during.at(-1)!.toFixed(1)} ms (${during.length} requests); ratio p99 to 0 followers ${(p99 / baseP99).toFixed(2)}`,
  );
  console.log(
    `Ferry's CPU ${cpu.toFixed(2)} cores (${baseCpu.toFixed(2)} with none); Redis clients of Ferry ${clients.ferry} (all ${clients.total}, the bench's own included); Ferry RSS ` +
      `${mem.rss.toFixed(0)} MB (peak ${mem.peak.toFixed(0)}; ${baseMem.rss.toFixed(0)} MB with none)`,
  );
  console.log(
    `lines events per follower during the measure: min ${got[0]} median ${percentile(got, 50)}; followers that got lines ` +
      `${live}; ended early ${endedEarly}; one more follower past the total answered ${extra.status}`,
  );
  const loadAtEnd = load();
  const ok =
    open === followerCount &&
    clients.ferry < 20 &&
    p99 < 50 &&
    live === followerCount &&
    extra.status === 429;
  console.log(
    `${ok ? 'targets met' : 'TARGETS NOT MET'} (${followerCount} open and live, Redis clients < 20, /healthz p99 < 50 ms); ` +
      `load average at end ${loadAtEnd.join(' ')}`,
  );
  console.log(
    JSON.stringify({
      bench: 'followers',
      followers: followerCount,
      open,
      live,
      logs: logCount,
      tokens: tokenCount,
      redis_clients_ferry: clients.ferry,
      redis_clients_ferry_no_followers: baseClients.ferry,
      healthz_p50_ms: Number(percentile(during, 50).toFixed(2)),
      healthz_p99_ms: Number(p99.toFixed(2)),
      baseline_healthz_p99_ms: Number(baseP99.toFixed(2)),
      ratio_p99: Number((p99 / baseP99).toFixed(2)),
      ferry_cpu_cores: Number(cpu.toFixed(2)),
      baseline_ferry_cpu_cores: Number(baseCpu.toFixed(2)),
      rss_mb: Math.round(mem.rss),
      baseline_rss_mb: Math.round(baseMem.rss),
      over_cap_status: extra.status,
      load_start: loadAtStart,
      load_end: loadAtEnd,
      targets_met: ok,
    }),
  );
  if (!ok) process.exitCode = 1;
} finally {
  if (writing !== undefined) clearInterval(writing);
  for (const f of followers) f.close();
  await new Promise<void>((resolve) => {
    if (ferry.exitCode !== null) return resolve();
    ferry.once('exit', () => resolve());
    ferry.kill('SIGTERM');
  });
  await deletePrefix(probe, prefix);
  probe.disconnect();
  writerRedis.disconnect();
}
