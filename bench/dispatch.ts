// bench:dispatch — from a webhook accepted to the first line of the stage script running, through
// the real intake, queue, worker and executor (local and docker), plus no-op pipeline throughput
// with the local executor and log ingest for one stage. Targets (issue 4): local p50 ≤ 50 ms and
// p99 ≤ 200 ms; docker p50 ≤ 600 ms; ≥ 3,000 no-op pipelines/min; log ingest ≥ 50 MB/s with
// bounded memory. References: GitLab Runner polls every 3 s; a minimal Tekton TaskRun takes 5–6 s.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger, isTerminalPipeline, loadConfig } from '@ferry/shared';
import { environmentsFromConfig } from '../packages/server/src/runtime/environments-from-config.js';
import { type RunningFerry, startFerry } from '../packages/server/src/runtime/start-ferry.js';
import { buildPushHook } from '../test/doubles/gitlab/webhook-payloads.js';
import { sendWebhook } from '../test/doubles/gitlab/webhook-sender.js';
import { startGitServer } from '../test/support/git-server.js';

const { values } = parseArgs({
  options: {
    samples: { type: 'string', default: '60' },
    'docker-samples': { type: 'string', default: '15' },
    pipelines: { type: 'string', default: '600' },
    'log-mb': { type: 'string', default: '100' },
    'skip-docker': { type: 'boolean', default: false },
  },
});
const redisUrl = process.env.FERRY_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6390';
const secret = `bench-${randomUUID()}`;
const git = await startGitServer();
const repo = await git.createRepo('bench-app', { 'README.md': 'bench\n' }, 'test');
const sha = await repo.head('test');

function template(script: string[], image = 'ferry-test/busybox:latest', checkout = true): string {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-template-'));
  writeFileSync(
    join(dir, 'default.yml'),
    [
      'version: 1',
      'stages:',
      `  test: { image: "${image}", script: ${JSON.stringify(script)}, timeout: 10m, checkout: ${checkout} }`,
      '  build: { enabled: false }',
      '  deploy: { enabled: false }',
      'environments:',
      '  test: { branch: test, namespace: "{group}-test" }',
    ].join('\n'),
  );
  return dir;
}

async function withFerry<T>(
  kind: 'local' | 'docker',
  templateDir: string,
  concurrency: number,
  fn: (f: RunningFerry, url: string) => Promise<T>,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-config-'));
  const file = join(dir, 'ferry.json');
  writeFileSync(
    file,
    JSON.stringify({
      executor: { kind, local: { workDir: join(dir, 'work') }, docker: { runnerImage: 'ferry/runner:test' } },
      redis: { url: redisUrl, keyPrefix: `bd${randomUUID().slice(0, 6)}` },
      pipelines: { templateDir },
      limits: { concurrency, logCapBytes: 16 * 1024 * 1024 },
    }),
  );
  const { config, secrets } = loadConfig({ env: { FERRY_WEBHOOK_SECRET: secret }, file });
  const ferry = await startFerry({
    config,
    logger: createLogger({ level: 'warn' }),
    redisUrl,
    environments: environmentsFromConfig(config),
    secrets: secrets.map((s) => s.reveal()),
    defaultMetrics: false,
  });
  const url = await ferry.app.listen({ host: '127.0.0.1', port: 0 });
  try {
    return await fn(ferry, url);
  } finally {
    await ferry.close();
  }
}

async function push(url: string, projectId: number): Promise<string> {
  const res = await sendWebhook(
    `${url}/webhooks/gitlab`,
    'Push Hook',
    buildPushHook({
      branch: 'test',
      after: sha,
      project: { id: projectId, pathWithNamespace: `bench/app-${projectId}`, gitHttpUrl: repo.cloneUrl },
    }),
    { token: secret },
  );
  if (res.status !== 201) throw new Error(`webhook answered ${res.status}: ${res.body}`);
  return (res.json as { pipelineId: string }).pipelineId;
}

async function waitDone(ferry: RunningFerry, id: string, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const p = await ferry.ctx.store.get(id);
    if (p !== undefined && isTerminalPipeline(p.status)) return p;
    if (Date.now() > deadline) throw new Error(`pipeline ${id} did not finish`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The nanosecond clock the script printed as its first command, as ms since the epoch. */
async function scriptStartMs(ferry: RunningFerry, id: string): Promise<number> {
  const chunk = await ferry.ctx.logs.read(id, 'test');
  const line = chunk.lines.find((l) => /^\d{18,20}$/.test(l.x));
  if (line === undefined)
    throw new Error(`no timestamp in the log of ${id}: ${JSON.stringify(chunk.lines.slice(0, 8))}`);
  return Number(BigInt(line.x) / 1000n) / 1000;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};

async function dispatch(kind: 'local' | 'docker', samples: number, image?: string): Promise<number[]> {
  return withFerry(kind, template(['date +%s%N'], image), 4, async (ferry, url) => {
    const out: number[] = [];
    for (let i = 0; i < samples + 2; i++) {
      const id = await push(url, 1000 + i);
      const done = await waitDone(ferry, id);
      if (done.status !== 'success') throw new Error(`${kind} pipeline ${id} ${done.status}: ${done.reason}`);
      const latency = (await scriptStartMs(ferry, id)) - Date.parse(done.queuedAt);
      if (i >= 2) out.push(latency); // the first two warm up
    }
    return out;
  });
}

console.log(`bench:dispatch — ${process.arch}, node ${process.version}`);
const local = await dispatch('local', Number(values.samples));
console.log(
  `local dispatch (webhook accepted → first script line): p50 ${pct(local, 50).toFixed(1)} ms, p99 ${pct(local, 99).toFixed(1)} ms over ${local.length}`,
);
let docker: number[] = [];
if (!values['skip-docker']) {
  // coreutils date (busybox has no %N)
  docker = await dispatch('docker', Number(values['docker-samples']), 'ferry-test/debian:bookworm');
  console.log(
    `docker dispatch: p50 ${pct(docker, 50).toFixed(0)} ms, p99 ${pct(docker, 99).toFixed(0)} ms over ${docker.length}`,
  );
}

const pipelines = Number(values.pipelines);
async function throughput(checkout: boolean): Promise<number> {
  return withFerry(
    'local',
    template(['true'], 'ferry-test/busybox:latest', checkout),
    16,
    async (ferry, url) => {
      const started = performance.now();
      const ids = await Promise.all(
        Array.from({ length: pipelines }, (_, i) => push(url, (checkout ? 5000 : 7000) + i)),
      );
      for (const id of ids) {
        const p = await waitDone(ferry, id, 600_000);
        if (p.status !== 'success') throw new Error(`no-op pipeline ${id} ${p.status}: ${p.reason}`);
      }
      return (pipelines / (performance.now() - started)) * 60_000;
    },
  );
}
// A no-op pipeline: one stage running `true`, no checkout (nothing to do), build and deploy disabled.
const perMin = await throughput(false);
const perMinClone = await throughput(true);
console.log(
  `no-op pipelines, local executor: ${perMin.toFixed(0)} per minute; with a git clone each: ${perMinClone.toFixed(0)} per minute (${pipelines} pipelines)`,
);

const mb = Number(values['log-mb']);
const ingest = await withFerry(
  'local',
  template([`head -c ${mb * 1_048_576} /dev/zero | tr '\\0' x | fold -w 99`]),
  1,
  async (ferry, url) => {
    let rssMax = process.memoryUsage().rss;
    const base = rssMax;
    const sampler = setInterval(() => {
      rssMax = Math.max(rssMax, process.memoryUsage().rss);
    }, 20);
    const id = await push(url, 9000);
    const p = await waitDone(ferry, id, 600_000);
    clearInterval(sampler);
    const stage = p.stages[0]!;
    const seconds = (Date.parse(stage.finishedAt!) - Date.parse(stage.startedAt!)) / 1000;
    return {
      mbPerS: mb / seconds,
      rssMaxMb: rssMax / 1_048_576,
      rssGrowthMb: (rssMax - base) / 1_048_576,
      status: p.status,
    };
  },
);
console.log(
  `log ingest, one stage printing ${mb} MB: ${ingest.mbPerS.toFixed(1)} MB/s (stage wall time, clone included), RSS max ${ingest.rssMaxMb.toFixed(0)} MB (+${ingest.rssGrowthMb.toFixed(0)} MB)`,
);

await git.close();
const result = {
  bench: 'dispatch',
  local_p50_ms: Number(pct(local, 50).toFixed(1)),
  local_p99_ms: Number(pct(local, 99).toFixed(1)),
  docker_p50_ms: docker.length > 0 ? Number(pct(docker, 50).toFixed(0)) : null,
  docker_p99_ms: docker.length > 0 ? Number(pct(docker, 99).toFixed(0)) : null,
  pipelines_per_min: Math.round(perMin),
  pipelines_per_min_with_clone: Math.round(perMinClone),
  log_mb_per_s: Number(ingest.mbPerS.toFixed(1)),
  rss_mb_max: Math.round(ingest.rssMaxMb),
  ratio_vs_gitlab_runner_poll_3s: Number((3000 / pct(local, 50)).toFixed(1)),
};
const met =
  result.local_p50_ms <= 50 &&
  result.local_p99_ms <= 200 &&
  (result.docker_p50_ms === null || result.docker_p50_ms <= 600) &&
  result.pipelines_per_min >= 3000 &&
  result.log_mb_per_s >= 50;
console.log(met ? 'targets met' : 'TARGETS NOT MET');
console.log(JSON.stringify(result));
process.exitCode = met ? 0 : 1;
