// bench:dispatch — from a webhook accepted to the first line of the stage script running, through
// the real intake, queue, worker and executor (local and docker), plus no-op pipeline throughput
// with the local executor and log ingest for one stage. Targets (issues 4 and 11): Ferry's own
// local overhead (its p50 minus the p50 of a plain git fetch + sh baseline measured in the same run,
// sample for sample) ≤ 15 ms, local p99 ≤ 200 ms; docker p50 ≤ 600 ms; ≥ 3,000 no-op
// pipelines/min; log ingest ≥ 50 MB/s with bounded memory. References: GitLab Runner polls every
// 3 s; a minimal Tekton TaskRun takes 5–6 s.
//
// Ferry runs as it is deployed: `ferry serve` from the built dist in a process of its own (its
// memory is read from /proc), and the git server (GitLab's side) in another. The baselines, measured
// in the same run, are what the same work costs without Ferry: a plain clone (git init, git fetch,
// git checkout) and the script by sh (local; one baseline sample after each Ferry sample, so a busy
// machine weighs on both alike), and the stage image started directly through the engine, without
// any clone (docker). The docker executor uses the runner image RUNNER_TAG (default ferry/runner:test).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildPushHook, sendWebhook } from '@ferry/doubles/gitlab';
import Docker from 'dockerode';
import { testWebhookSecret } from '../test/support/ferry.js';
import { type FerryProcess, spawnFerry } from '../test/support/ferry-process.js';
import { processMemoryMb, startGitServerProcess } from './lib/processes.js';

const { values } = parseArgs({
  options: {
    samples: { type: 'string', default: '200' }, // a p99 over fewer samples is just the slowest one
    'docker-samples': { type: 'string', default: '15' },
    pipelines: { type: 'string', default: '600' },
    'log-mb': { type: 'string', default: '100' },
    'skip-docker': { type: 'boolean', default: false },
  },
});
const redisUrl = process.env.FERRY_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6390';
const runnerImage = process.env.RUNNER_TAG ?? 'ferry/runner:test';
const git = await startGitServerProcess();
const { sha, cloneUrl } = git;

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
  fn: (f: FerryProcess) => Promise<T>,
): Promise<T> {
  const work = mkdtempSync(join(tmpdir(), 'ferry-bench-work-'));
  const ferry = await spawnFerry({
    executor: { kind, local: { workDir: work }, docker: { runnerImage } },
    redis: { url: redisUrl, keyPrefix: `bd${randomUUID().slice(0, 6)}` },
    pipelines: { templateDir },
    limits: { concurrency, logCapBytes: 16 * 1024 * 1024 },
    reporting: { enabled: false },
    log: { level: 'warn' },
  });
  try {
    return await fn(ferry);
  } finally {
    ferry.child.kill('SIGTERM');
    await ferry.exited;
  }
}

async function push(url: string, projectId: number): Promise<string> {
  const res = await sendWebhook(
    `${url}/webhooks/gitlab`,
    'Push Hook',
    buildPushHook({
      branch: 'test',
      after: sha,
      project: { id: projectId, pathWithNamespace: `bench/app-${projectId}`, gitHttpUrl: cloneUrl },
    }),
    { token: testWebhookSecret },
  );
  if (res.status !== 201) throw new Error(`webhook answered ${res.status}: ${res.error ?? res.body}`);
  return (res.json as { pipelineId: string }).pipelineId;
}

interface PipelineView {
  status: string;
  reason?: string;
  queuedAt: string;
  stages: Array<{ name: string; startedAt?: string; finishedAt?: string }>;
}
const TERMINAL = new Set(['success', 'failed', 'canceled', 'superseded', 'rejected']);

async function waitDone(url: string, id: string, timeoutMs = 120_000, pollMs = 10): Promise<PipelineView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${url}/api/v1/pipelines/${id}`);
    if (res.ok) {
      const p = (await res.json()) as PipelineView;
      if (TERMINAL.has(p.status)) return p;
    }
    if (Date.now() > deadline) throw new Error(`pipeline ${id} did not finish`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** The nanosecond clock a script printed as its first command, as ms since the epoch. */
function clockMs(text: string, what: string): number {
  const line = text.split('\n').find((l) => /^\d{18,20}$/.test(l));
  if (line === undefined) throw new Error(`no timestamp in ${what}: ${JSON.stringify(text.slice(0, 400))}`);
  return Number(BigInt(line) / 1000n) / 1000;
}

async function scriptStartMs(url: string, id: string): Promise<number> {
  const res = await fetch(`${url}/api/v1/pipelines/${id}/stages/test/log?format=text`);
  return clockMs(await res.text(), `the log of ${id}`);
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};

/** Dispatch latencies; `after`, when given, runs after each sample (a baseline sample, interleaved). */
async function dispatch(
  kind: 'local' | 'docker',
  samples: number,
  image?: string,
  after?: (warmUp: boolean) => Promise<void>,
): Promise<number[]> {
  return withFerry(kind, template(['date +%s%N'], image), 4, async ({ url }) => {
    const out: number[] = [];
    for (let i = 0; i < samples + 2; i++) {
      const id = await push(url, 1000 + i);
      const done = await waitDone(url, id);
      if (done.status !== 'success') throw new Error(`${kind} pipeline ${id} ${done.status}: ${done.reason}`);
      const latency = (await scriptStartMs(url, id)) - Date.parse(done.queuedAt);
      if (i >= 2) out.push(latency); // the first two warm up
      await after?.(i < 2);
    }
    return out;
  });
}

function run(argv: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${argv.join(' ')}: ${code}`)),
    );
  });
}

/** One local dispatch without Ferry: a plain shallow clone of the sha and the script, by git and sh directly. */
async function localBaselineSample(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-floor-'));
  const t0 = performance.timeOrigin + performance.now();
  await run(['git', 'init', '-q', '.'], dir);
  await run(
    ['git', '-c', 'protocol.version=2', 'fetch', '-q', '--depth', '1', '--no-tags', cloneUrl, sha],
    dir,
  );
  await run(['git', '-c', 'advice.detachedHead=false', 'checkout', '-q', '--detach', sha], dir);
  const text = await run(['/bin/sh', '-c', 'date +%s%N'], dir);
  return clockMs(text, 'the baseline') - t0;
}

/** Docker dispatch without Ferry: the stage image created and started directly, printing the clock. */
async function dockerBaseline(samples: number, image: string): Promise<number[]> {
  const docker = new Docker();
  const out: number[] = [];
  for (let i = 0; i < samples + 2; i++) {
    const t0 = performance.timeOrigin + performance.now();
    const container = await docker.createContainer({
      Image: image,
      Cmd: ['date', '+%s%N'],
      Labels: { 'ferry.bench': '1' },
      HostConfig: { NetworkMode: 'host', AutoRemove: false },
    });
    await container.start();
    await container.wait();
    const logs = await container.logs({ stdout: true, stderr: false });
    await container.remove({ force: true });
    // The multiplexed log: an 8-byte header per frame, then the text.
    const text = logs.subarray(8).toString();
    if (i >= 2) out.push(clockMs(text, 'the docker baseline') - t0);
  }
  return out;
}

const ratio = (a: number, b: number) => Number((a / b).toFixed(2));
const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(1)}`;

console.log(
  `bench:dispatch — ${process.arch}, node ${process.version}; ferry serve and the git server in processes of their own`,
);
const loadAtStart = loadavg()[0] ?? Number.NaN;
console.log(
  `load average at the start: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} (${cpus().length} cores)`,
);
const samples = Number(values.samples);
const localFloor: number[] = [];
const local = await dispatch('local', samples, undefined, async (warmUp) => {
  const ms = await localBaselineSample();
  if (!warmUp) localFloor.push(ms);
});
const localOverhead = pct(local, 50) - pct(localFloor, 50);
console.log(
  `local dispatch (webhook accepted → first script line, clone included): p50 ${pct(local, 50).toFixed(1)} ms, p99 ${pct(local, 99).toFixed(1)} ms over ${local.length}`,
);
console.log(
  `  baseline (a plain clone — git init, fetch, checkout — then the script by sh, one after each Ferry sample): p50 ${pct(localFloor, 50).toFixed(1)} ms, p99 ${pct(localFloor, 99).toFixed(1)} ms over ${localFloor.length} — Ferry ${ratio(pct(local, 50), pct(localFloor, 50))}× the baseline`,
);
console.log(`  Ferry's own overhead (p50 − baseline p50): ${signed(localOverhead)} ms (target ≤ 15 ms)`);
let docker: number[] = [];
let dockerFloor: number[] = [];
if (!values['skip-docker']) {
  const samples = Number(values['docker-samples']);
  // coreutils date (busybox has no %N)
  docker = await dispatch('docker', samples, 'ferry-test/debian:bookworm');
  dockerFloor = await dockerBaseline(Math.min(samples, 10), 'ferry-test/debian:bookworm');
  console.log(
    `docker dispatch: p50 ${pct(docker, 50).toFixed(0)} ms, p99 ${pct(docker, 99).toFixed(0)} ms over ${docker.length}`,
  );
  console.log(
    `  baseline (one container of the stage image, created and started directly, no clone): p50 ${pct(dockerFloor, 50).toFixed(0)} ms — Ferry ${ratio(pct(docker, 50), pct(dockerFloor, 50))}× the baseline`,
  );
}

const pipelines = Number(values.pipelines);
async function throughput(checkout: boolean): Promise<number> {
  return withFerry(
    'local',
    template(['true'], 'ferry-test/busybox:latest', checkout),
    16,
    async ({ url }) => {
      const started = performance.now();
      // 32 webhooks in flight, as a busy GitLab sends them: all at once, a loaded machine's intake
      // misses GitLab's 10 s webhook timeout, which measures the sender, not dispatch.
      const ids: string[] = new Array(pipelines);
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(32, pipelines) }, async () => {
          for (let i = next++; i < pipelines; i = next++)
            ids[i] = await push(url, (checkout ? 5000 : 7000) + i);
        }),
      );
      for (const id of ids) {
        const p = await waitDone(url, id, 600_000, 50);
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
  async ({ url, child }) => {
    const pid = child.pid!;
    const base = processMemoryMb(pid).rss;
    let rssMax = base;
    const sampler = setInterval(() => {
      rssMax = Math.max(rssMax, processMemoryMb(pid).rss);
    }, 20);
    const id = await push(url, 9000);
    const p = await waitDone(url, id, 600_000, 50);
    clearInterval(sampler);
    rssMax = Math.max(rssMax, processMemoryMb(pid).peak);
    const stage = p.stages[0]!;
    const seconds = (Date.parse(stage.finishedAt!) - Date.parse(stage.startedAt!)) / 1000;
    return { mbPerS: mb / seconds, rssMaxMb: rssMax, rssBeforeMb: base, status: p.status };
  },
);
console.log(
  `log ingest, one stage printing ${mb} MB: ${ingest.mbPerS.toFixed(1)} MB/s (stage wall time, clone included); the ferry process: RSS ${ingest.rssBeforeMb.toFixed(0)} MB before, ${ingest.rssMaxMb.toFixed(0)} MB at most`,
);

await git.close();
const result = {
  bench: 'dispatch',
  local_p50_ms: Number(pct(local, 50).toFixed(1)),
  local_p99_ms: Number(pct(local, 99).toFixed(1)),
  local_baseline_p50_ms: Number(pct(localFloor, 50).toFixed(1)),
  local_baseline_p99_ms: Number(pct(localFloor, 99).toFixed(1)),
  local_overhead_ms: Number(localOverhead.toFixed(1)),
  local_ratio_vs_baseline: ratio(pct(local, 50), pct(localFloor, 50)),
  docker_p50_ms: docker.length > 0 ? Number(pct(docker, 50).toFixed(0)) : null,
  docker_p99_ms: docker.length > 0 ? Number(pct(docker, 99).toFixed(0)) : null,
  docker_baseline_p50_ms: dockerFloor.length > 0 ? Number(pct(dockerFloor, 50).toFixed(0)) : null,
  docker_ratio_vs_baseline: dockerFloor.length > 0 ? ratio(pct(docker, 50), pct(dockerFloor, 50)) : null,
  pipelines_per_min: Math.round(perMin),
  pipelines_per_min_with_clone: Math.round(perMinClone),
  log_mb_per_s: Number(ingest.mbPerS.toFixed(1)),
  rss_mb_max: Math.round(ingest.rssMaxMb),
  load_avg_1m_start: Number(loadAtStart.toFixed(2)),
  load_avg_1m_end: Number((loadavg()[0] ?? Number.NaN).toFixed(2)),
  ratio_vs_gitlab_runner_poll_3s: Number((3000 / pct(local, 50)).toFixed(1)),
};
const met =
  result.local_overhead_ms <= 15 &&
  result.local_p99_ms <= 200 &&
  (result.docker_p50_ms === null || result.docker_p50_ms <= 600) &&
  result.pipelines_per_min >= 3000 &&
  result.log_mb_per_s >= 50;
console.log(met ? 'targets met' : 'TARGETS NOT MET');
console.log(
  `load average at the end: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} (${cpus().length} cores)`,
);
console.log(JSON.stringify(result));
process.exitCode = met ? 0 : 1;
