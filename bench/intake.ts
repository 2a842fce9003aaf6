// bench:intake — webhooks/s into Ferry's POST /webhooks/gitlab against a real Redis, next to a bare
// fastify route parsing the same bodies in the same run (the ratio is what matters on a noisy
// machine), then a check that every distinct commit became exactly one pipeline.
// Targets (issue 3): ≥ 5,000 accepted webhooks/s for 30 s, p99 ≤ 25 ms, none lost, none duplicated.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildPushHook, encodeGitLabJson, randomSha } from '@ferry/doubles/gitlab';
import { Redis } from 'ioredis';
import { freePort } from '../packages/server/src/redis/embedded-redis.js';
import { deletePrefix } from './lib/delete-prefix.js';
import { runLoad } from './lib/run-load.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '30' },
    connections: { type: 'string', default: '64' },
    commits: { type: 'string', default: '20000' },
    projects: { type: 'string', default: '400' },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const commitCount = Number(values.commits);
const projectCount = Number(values.projects);
const redisUrl = process.env.FERRY_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6390';
const secret = `bench-secret-${randomUUID()}`;
const prefix = `bench${randomUUID().slice(0, 6)}`;

interface Commit {
  projectId: number;
  sha: string;
  body: string;
}

// Realistic Push Hook payloads (all the fields GitLab sends), one per distinct commit.
const commits: Commit[] = [];
for (let i = 0; i < commitCount; i++) {
  const projectId = 10_000 + (i % projectCount);
  const sha = randomSha();
  const payload = buildPushHook({
    branch: 'test',
    after: sha,
    project: { id: projectId, pathWithNamespace: `bench/service-${projectId}` },
    commitMessage: `Merge branch 'feature/${i}' into 'test'\n\nSee merge request bench/service!${i}`,
  });
  commits.push({ projectId, sha, body: encodeGitLabJson(payload) });
}
const sent = new Uint8Array(commitCount);
let cursor = 0;
const next = () => {
  const index = cursor++ % commitCount;
  sent[index] = 1;
  const commit = commits[index]!;
  return {
    body: commit.body,
    headers: {
      'content-type': 'application/json',
      'x-gitlab-event': 'Push Hook',
      'x-gitlab-token': secret,
      'idempotency-key': randomUUID(),
      'user-agent': 'GitLab/17.8.1',
    },
  };
};

async function startProcess(args: string[], env: Record<string, string>, ready: (out: string) => boolean) {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready: ${out}`)), 20_000);
    const onData = (c: Buffer) => {
      out += c.toString();
      if (ready(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
  return child;
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

const tsx = ['--import', 'tsx'];
const baselinePort = await freePort();
const baseline = await startProcess(
  [...tsx, fileURLToPath(new URL('./baseline-server.ts', import.meta.url))],
  { PORT: String(baselinePort) },
  (o) => o.includes('http://'),
);
const ferryPort = await freePort();
const configJson = JSON.stringify({ redis: { url: redisUrl, keyPrefix: prefix }, log: { level: 'warn' } });
const configFile = `/tmp/${prefix}.json`;
await import('node:fs').then((fs) => fs.writeFileSync(configFile, configJson));
const ferry = await startProcess(
  [
    ...(process.env.FERRY_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
    fileURLToPath(new URL('../packages/server/bin/ferry.js', import.meta.url)),
    'serve',
    '--role',
    'api',
    '--config',
    configFile,
  ],
  { FERRY_PORT: String(ferryPort), FERRY_WEBHOOK_SECRET: secret, FERRY_LOG_LEVEL: 'warn' },
  () => true,
);
// Wait for readiness.
for (let i = 0; i < 200; i++) {
  try {
    if ((await fetch(`http://127.0.0.1:${ferryPort}/readyz`)).ok) break;
  } catch {}
  await new Promise((r) => setTimeout(r, 50));
}

try {
  console.log(
    `bench:intake — ${seconds}s, ${connections} connections, ${commitCount} distinct commits in ${projectCount} projects`,
  );
  await runLoad({ url: `http://127.0.0.1:${baselinePort}/webhooks/gitlab`, seconds: 3, connections, next });
  const base = await runLoad({
    url: `http://127.0.0.1:${baselinePort}/webhooks/gitlab`,
    seconds,
    connections,
    next,
  });
  console.log(
    `baseline (bare fastify, same bodies): ${base.rps.toFixed(0)} req/s, p50 ${base.p50} ms, p99 ${base.p99} ms`,
  );

  sent.fill(0);
  cursor = 0;
  const result = await runLoad({
    url: `http://127.0.0.1:${ferryPort}/webhooks/gitlab`,
    seconds,
    connections,
    next,
  });
  console.log(
    `ferry intake: ${result.rps.toFixed(0)} webhooks/s, p50 ${result.p50} ms, p99 ${result.p99} ms, ` +
      `${result.total} requests, non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}`,
  );

  const redis = new Redis(redisUrl);
  const pipelines = await redis.zcard(`${prefix}:idx:all`);
  let distinct = 0;
  let lost = 0;
  const pipe = redis.pipeline();
  for (let i = 0; i < commitCount; i++) {
    if (sent[i] !== 1) continue;
    distinct++;
    pipe.exists(`${prefix}:dedup:${commits[i]!.projectId}:test:${commits[i]!.sha}`);
  }
  for (const [err, exists] of (await pipe.exec()) ?? []) if (err || exists !== 1) lost++;
  const duplicated = pipelines - (distinct - lost);
  // Clean up what the bench wrote.
  await deletePrefix(redis, prefix);
  await redis.quit();

  const ratio = result.rps / base.rps;
  console.log(
    `pipelines: ${pipelines} for ${distinct} distinct commits sent; lost ${lost}; duplicated ${duplicated}; ratio to baseline ${ratio.toFixed(2)}`,
  );
  const ok = result.rps >= 5000 && result.p99 <= 25 && lost === 0 && duplicated === 0 && result.non2xx === 0;
  console.log(ok ? 'targets met (≥ 5000/s, p99 ≤ 25 ms, none lost or duplicated)' : 'TARGETS NOT MET');
  console.log(
    JSON.stringify({
      bench: 'intake',
      seconds,
      connections,
      rps: Math.round(result.rps),
      p50_ms: result.p50,
      p99_ms: result.p99,
      non2xx: result.non2xx,
      baseline_rps: Math.round(base.rps),
      baseline_p99_ms: base.p99,
      ratio: Number(ratio.toFixed(3)),
      pipelines,
      distinct_commits: distinct,
      lost,
      duplicated,
    }),
  );
  process.exitCode = ok ? 0 : 1;
} finally {
  await stop(ferry);
  await stop(baseline);
}
