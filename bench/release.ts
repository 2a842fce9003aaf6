// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfile and generated JavaScript text, not templates
// bench:release — from a merge's webhook accepted to the new version answering on its Service,
// with the docker executor (engine build) and the kubernetes executor (against the Kubernetes
// test double; buildah in the build pod), cold (empty layer cache) and warm (a second merge that
// changes one source file). The sample service is a Node service whose Dockerfile installs ~30
// npm packages (`npm ci --offline` from tarballs vendored into the repository, packed at bench
// time from this checkout's node_modules: no network) and runs a build step.
// In the same run, a hand baseline does the same work without Ferry: git clone, `docker build`
// (docker) or `buildah bud` with the same registry cache and kept storage (kubernetes: in the build
// pod's restricted sandbox, rootless, as Ferry's build runs; then again as root in the baseline
// sandbox), push, `kubectl apply --server-side` of the image change, `kubectl rollout status`, until
// the Service answers. Ferry's runner containers get the machine's cores (`--runner-cpu`), as the
// hand run has them; `--runner-cpu default` measures the executor's default 500m. Targets (issue
// 16): warm kubernetes ≤ 1.3× its baseline; warm ≤ 0.5× cold; the builder's peak memory is
// printed. Ends with one JSON line of every figure.
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import type { PipelineRecord } from '@ferry/shared';
import { mergeIntoTest } from '../test/e2e/support/merge-into-test.js';
import {
  type ExecutorKind,
  type ReleaseWorld,
  startReleaseWorld,
} from '../test/e2e/support/release-world.js';
import { testRunnerImage } from '../test/executors/runner-build.js';
import {
  baseInRegistry,
  ROOTLESS_SECCOMP_PROFILE,
  SECCOMP_PROFILE,
} from '../test/release/buildah-sandbox.js';
import { answerOnNewConnection } from '../test/support/fresh-answer.js';
import { testRegistry } from '../test/support/services.js';
import { NPM_BASE, npmBase, vendoredDependencies } from './lib/sample-dependencies.js';

const exec = promisify(execFile);
const { values } = parseArgs({
  options: {
    kinds: { type: 'string', default: 'docker,kubernetes' },
    // The whole run's bound: past it the figures so far are printed (incomplete) and it exits 1.
    'deadline-minutes': { type: 'string', default: '40' },
    // The cpu of Ferry's runner containers on kubernetes (requests = limits). Default: the machine's
    // cores, as the hand run has them; `--runner-cpu default` keeps the executor's default (500m).
    'runner-cpu': { type: 'string', default: String(cpus().length) },
  },
});
const deadlineMs = Number(values['deadline-minutes']) * 60_000;
const kinds = (values.kinds ?? '')
  .split(',')
  .filter((k): k is ExecutorKind => k === 'docker' || k === 'kubernetes');
const registry = testRegistry();

const DOCKERFILE = [
  `ARG BASE=${NPM_BASE}`,
  'FROM ${BASE}',
  'WORKDIR /app',
  'COPY package.json package-lock.json ./',
  'COPY vendor ./vendor',
  'RUN npm ci --offline --ignore-scripts --no-audit --no-fund',
  'COPY src ./src',
  'RUN node src/build.js',
  // Ferry deploys with runAsNonRoot (restricted Pod Security): the kubelet checks a numeric USER.
  'USER 10001',
  'CMD ["node", "/app/dist/server.js"]',
  '',
].join('\n');

function sources(version: string): Record<string, string> {
  return {
    'src/version.js': `module.exports = ${JSON.stringify(version)};\n`,
    'src/build.js': [
      "const fs = require('fs');",
      "fs.mkdirSync('dist', { recursive: true });",
      "const deps = Object.keys(require('../package.json').dependencies);",
      'for (const d of deps) require.resolve(d);',
      "fs.writeFileSync('dist/server.js', `const version = ${JSON.stringify(require('./version.js'))};\\n` + fs.readFileSync('src/server.js', 'utf8'));",
      "console.log('built with', deps.length, 'dependencies');",
      '',
    ].join('\n'),
    'src/server.js': [
      "const http = require('http');",
      "const pino = require('pino')();",
      "require('yaml'); require('zod'); require('semver');",
      "http.createServer((req, res) => res.end(version)).listen(Number(process.env.PORT || 8080), () => pino.info('up'));",
      '',
    ].join('\n'),
    'test.js': "if (!/^\\d+\\.\\d+\\.\\d+$/.test(require('./src/version.js'))) process.exit(1);\n",
  };
}

/** How long one merge's pipeline may take before the bench gives up on it. */
const PIPELINE_DEADLINE_MS = 10 * 60_000;

interface Figures {
  [key: string]: number | string;
}

async function api<T>(w: ReleaseWorld, path: string): Promise<T> {
  const res = await fetch(`${w.ferry.url}/api/v1${path}`, { signal: AbortSignal.timeout(10_000) });
  return (await res.json()) as T;
}

async function answers(w: ReleaseWorld, version: string, deadlineMs: number): Promise<void> {
  const url = await w.double.serviceUrl(`${w.project.group}-test`, 'sample-service', {
    timeoutMs: deadlineMs,
  });
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    // A connection each: an old pod keeps answering the old version on a kept one while it terminates.
    const text = await answerOnNewConnection(url).catch(() => '');
    if (text === version) return;
    if (Date.now() > deadline) throw new Error(`the service never answered ${version} (last: ${text})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A stage's log, each line with its seconds since the first line (where the time went). */
async function stageLog(w: ReleaseWorld, pipelineId: string, stage: string): Promise<string> {
  const lines: string[] = [];
  let cursor: string | undefined;
  let first: number | undefined;
  for (;;) {
    const chunk = await w.ferry.ferry.ctx.logs.read(pipelineId, stage, cursor);
    for (const l of chunk.lines) {
      first ??= l.t;
      lines.push(`+${((l.t - first) / 1000).toFixed(1)}s ${l.x}`);
    }
    if (chunk.done || chunk.lines.length === 0) return lines.join('\n');
    cursor = chunk.cursor;
  }
}

/** One merge through Ferry: webhook accepted → new version answering. */
async function throughFerry(
  w: ReleaseWorld,
  iid: number,
  version: string,
  files: Record<string, string | Uint8Array>,
) {
  const { answers: hooks } = await mergeIntoTest(w, iid, `Release ${version}`, files, ['Merge Request Hook']);
  const accepted = performance.now();
  const pipelineId = hooks[0]?.pipelineId;
  if (hooks[0]?.status !== 201 || pipelineId === undefined)
    throw new Error(`webhook not accepted: ${JSON.stringify(hooks)}`);
  for (;;) {
    const p = await api<PipelineRecord>(w, `/pipelines/${pipelineId}`);
    if (p.status === 'failed' || p.status === 'canceled')
      throw new Error(`pipeline ${pipelineId} ${p.status}: ${p.reason}`);
    if (p.status === 'success') break;
    if (performance.now() - accepted > PIPELINE_DEADLINE_MS)
      throw new Error(`pipeline ${pipelineId} still ${p.status} after ${PIPELINE_DEADLINE_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
  await answers(w, version, 120_000);
  const totalMs = performance.now() - accepted;
  const log = await stageLog(w, pipelineId, 'build');
  for (const stage of ['build', 'deploy']) {
    const logFile = join(tmpdir(), `ferry-bench-release-${pipelineId}-${stage}.log`);
    await writeFile(logFile, stage === 'build' ? log : await stageLog(w, pipelineId, stage));
    console.log(`  ${stage} log of ${version}: ${logFile}`);
  }
  for (const line of log.split('\n').filter((l) => l.includes('build cache:'))) console.log(`  ${line}`);
  const peak = /build container memory peak: (\d+) MiB/.exec(log)?.[1];
  const p = await api<PipelineRecord>(w, `/pipelines/${pipelineId}`);
  const stageMs = Object.fromEntries(
    (p.stages ?? []).map((s) => [
      s.name,
      s.startedAt && s.finishedAt ? Date.parse(s.finishedAt) - Date.parse(s.startedAt) : -1,
    ]),
  );
  return { totalMs, peakMiB: peak === undefined ? undefined : Number(peak), stageMs };
}

/**
 * The sandbox a hand build runs in. `restricted` is the build pod's default sandbox, the one the
 * bench's Ferry builds in (docs/release.md, "The build pod"): uid 10001, no capability, a read-only
 * root with /tmp and /var/tmp on volumes, no_new_privs, the rootless seccomp profile; buildah's
 * user namespace maps that one id. `baseline` is the `buildSandbox: baseline` pod: root in the
 * container with SETUID, SETGID and SETFCAP, the baseline profile.
 */
type HandSandbox = 'restricted' | 'baseline';

/** `docker run` options for a hand build's sandbox, buildah's storage at `storageDir`. */
function sandboxArgs(sandbox: HandSandbox, storageDir: string): string[] {
  const common = ['--cap-drop', 'ALL', '--security-opt', 'no-new-privileges'];
  const storage = ['-v', `${storageDir}:/var/lib/containers`];
  if (sandbox === 'baseline')
    return [
      ...common,
      '--user',
      '0:0',
      ...['--cap-add', 'SETUID', '--cap-add', 'SETGID', '--cap-add', 'SETFCAP'],
      '--security-opt',
      `seccomp=${SECCOMP_PROFILE}`,
      ...storage,
    ];
  // As the runner sets a rootless buildah up (buildah-build.ts, rootlessPaths): its storage and
  // blob-info cache under /var/lib/containers, its run state in a directory of its own.
  return [
    ...common,
    '--user',
    '10001:10001',
    '--read-only',
    '--security-opt',
    `seccomp=${ROOTLESS_SECCOMP_PROFILE}`,
    ...storage,
    '-v',
    `${scratchDirs(storageDir).tmp}:/tmp`,
    '-v',
    `${scratchDirs(storageDir).varTmp}:/var/tmp`,
    ...['-e', 'XDG_DATA_HOME=/var/lib', '-e', 'XDG_RUNTIME_DIR=/tmp/run', '-e', 'TMPDIR=/tmp'],
  ];
}

/** The restricted sandbox's /tmp and /var/tmp beside a hand run's storage directory. */
function scratchDirs(storageDir: string): { tmp: string; varTmp: string } {
  return { tmp: `${storageDir}-tmp`, varTmp: `${storageDir}-var-tmp` };
}

/** Storage for a sandbox's hand builds (kept between its cold and warm run) and its scratch directories. */
async function handStorage(sandbox: HandSandbox): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `ferry-bench-hand-${sandbox}-`));
  // A kubelet makes emptyDirs 0777; the restricted sandbox's uid writes there.
  for (const path of [dir, ...Object.values(scratchDirs(dir))]) {
    await mkdir(path, { recursive: true });
    await chmod(path, 0o777);
  }
  return dir;
}

async function removeHandStorage(dir: string): Promise<void> {
  for (const path of [dir, ...Object.values(scratchDirs(dir))])
    await rm(path, { recursive: true, force: true });
}

/**
 * The same release by hand: clone, build with the same caches, push, server-side apply, rollout,
 * answer. On kubernetes buildah's storage is `storageDir`, kept between hand runs as the build
 * cache claim keeps it between build pods.
 */
async function byHand(
  w: ReleaseWorld,
  kind: ExecutorKind,
  iid: number,
  version: string,
  base: string,
  storageDir: string,
  sandbox: HandSandbox = 'restricted',
) {
  const { sha } = await mergeIntoTest(w, iid, `Release ${version} by hand`, sources(version), []);
  const started = performance.now();
  // Where the hand run's time goes, step by step (seconds).
  const steps: Record<string, number> = {};
  let mark = started;
  const lap = (step: string) => {
    const now = performance.now();
    steps[step] = seconds(now - mark);
    mark = now;
  };
  const dir = await mkdtemp(join(tmpdir(), 'ferry-bench-hand-'));
  try {
    const cloneUrl = new URL(w.repo.cloneUrl);
    cloneUrl.username = 'oauth2';
    cloneUrl.password = w.gitlab.token;
    await exec('git', [
      'clone',
      '-q',
      '--depth',
      '1',
      '--branch',
      'test',
      cloneUrl.toString(),
      join(dir, 'src'),
    ]);
    lap('clone');
    const repo = `${registry.address}/${w.project.path}`;
    const image = `${repo}:hand-${sha}`;
    const auth = Buffer.from(`${registry.username}:${registry.password}`).toString('base64');
    // The registry credential as a client config file (docker's DOCKER_CONFIG, buildah's
    // REGISTRY_AUTH_FILE), never on a command line.
    await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: { [registry.address]: { auth } } }));
    if (kind === 'docker') {
      const env = { ...process.env, DOCKER_CONFIG: dir };
      await exec(
        'docker',
        ['build', '-q', '--network', 'host', '--cache-from', `${repo}:test`, '-t', image, join(dir, 'src')],
        { env },
      );
      await exec('docker', ['push', '-q', image], { env });
    } else {
      const cache = `${repo}/cache`;
      // Ferry's rule (bud-args.ts, writesRegistryCache): storage that a build already filled has
      // the layers, so the build reads the registry cache and pushes none; empty storage writes it.
      const cacheArgs =
        (await readdir(storageDir)).length > 0
          ? `--cache-from ${cache}`
          : `--cache-from ${cache} --cache-to ${cache}`;
      const buildah =
        '--storage-driver overlay' +
        (sandbox === 'restricted' ? ' --storage-opt overlay.ignore_chown_errors=true' : '');
      await exec(
        'docker',
        [
          'run',
          '--rm',
          '--network',
          'host',
          ...sandboxArgs(sandbox, storageDir),
          '-v',
          `${join(dir, 'src')}:/ctx:ro`,
          '-v',
          `${join(dir, 'config.json')}:/auth.json:ro`,
          '-e',
          'REGISTRY_AUTH_FILE=/auth.json',
          '--entrypoint',
          'sh',
          testRunnerImage,
          '-c',
          `${sandbox === 'restricted' ? 'mkdir -p -m 700 "$XDG_RUNTIME_DIR" && ' : ''}buildah ${buildah} bud --isolation chroot --layers --tls-verify=false --build-arg BASE=${base} ${cacheArgs} -t ${image} /ctx >/dev/null && buildah ${buildah} push --tls-verify=false ${image} docker://${image} >/dev/null`,
        ],
        { maxBuffer: 64 * 2 ** 20 },
      );
    }
    lap('build_push');
    const manifest = JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'sample-service', namespace: `${w.project.group}-test` },
      spec: {
        selector: (
          await w.apps.readNamespacedDeployment({
            name: 'sample-service',
            namespace: `${w.project.group}-test`,
          })
        ).spec?.selector,
        template: { spec: { containers: [{ name: 'sample-service', image }] } },
      },
    });
    await writeFile(join(dir, 'deploy.json'), manifest);
    const kubectl = ['--kubeconfig', w.double.kubeconfigPath];
    await exec('kubectl', [
      ...kubectl,
      'apply',
      '--server-side',
      '--force-conflicts',
      '--field-manager',
      'bench-hand',
      '-f',
      join(dir, 'deploy.json'),
    ]);
    lap('apply');
    await exec('kubectl', [
      ...kubectl,
      'rollout',
      'status',
      '-n',
      `${w.project.group}-test`,
      'deployment/sample-service',
      '--timeout',
      '180s',
    ]);
    lap('rollout');
    await answers(w, version, 120_000);
    lap('answer');
    return { totalMs: performance.now() - started, steps };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const figures: Figures = { cpus: cpus().length, load_1m_start: Number(loadavg()[0]?.toFixed(1)) };
/** The machine's load beside every figure: the runs share its cores with whatever else runs. */
const load = () => Number(loadavg()[0]?.toFixed(1));
const finish = (code: number): never => {
  figures.load_1m_end = load();
  console.log(JSON.stringify(figures));
  process.exit(code);
};
const bound = setTimeout(() => {
  console.error(`bench:release: past its deadline (${values['deadline-minutes']} min); figures so far:`);
  figures.incomplete = 'deadline';
  finish(1);
}, deadlineMs);
bound.unref();
const seconds = (ms: number) => Number((ms / 1000).toFixed(1));
await npmBase();
const { files: vendor, count } = await vendoredDependencies();
figures.dependencies = count;
console.log(`sample service: ${count} npm packages vendored (${Object.keys(vendor).length - 2} tarballs)`);
try {
  for (const kind of kinds) await measure(kind);
} catch (err) {
  console.error('bench:release failed:', err);
  figures.incomplete = err instanceof Error ? err.message.slice(0, 300) : String(err);
  finish(1);
}
finish(0);

async function measure(kind: ExecutorKind): Promise<void> {
  const runnerCpu = values['runner-cpu'] === 'default' ? undefined : values['runner-cpu'];
  figures[`${kind}.runner_cpu`] = runnerCpu ?? 'default (500m)';
  const w = await startReleaseWorld(kind, { ...(runnerCpu === undefined ? {} : { runnerCpu }) });
  try {
    const base = kind === 'kubernetes' ? await baseInRegistry(w.docker, NPM_BASE) : NPM_BASE;
    // The world's template builds with BASE = the registry's ferry-test/node:20 on kubernetes.
    const files = {
      ...vendor,
      ...sources('1.0.0'),
      Dockerfile: DOCKERFILE,
      '.ferry.yml': `stages:\n  build:\n    args: { BASE: "${base}" }\n`,
    };
    figures[`${kind}.cold.load_1m`] = load();
    const cold = await throughFerry(w, 1, '1.0.0', files);
    figures[`${kind}.warm.load_1m`] = load();
    const warm = await throughFerry(w, 2, '1.0.1', sources('1.0.1'));
    console.log(
      `${kind}: through Ferry cold ${seconds(cold.totalMs)} s, warm ${seconds(warm.totalMs)} s, builder peak ${cold.peakMiB ?? '-'} / ${warm.peakMiB ?? '-'} MiB`,
    );
    // The hand baseline gets the same caches: its first run fills its storage (kubernetes) and the
    // engine's (docker), the second is the warm one compared. On kubernetes it builds in the build
    // pod's sandbox Ferry used (restricted: rootless buildah), the target's denominator; then again
    // as root in the baseline sandbox, to show what the sandbox itself costs.
    const handRuns = async (sandbox: HandSandbox, name: string, iid: number, patch: number) => {
      const storageDir = await handStorage(sandbox);
      try {
        figures[`${kind}.${name}_cold.load_1m`] = load();
        const handCold = await byHand(w, kind, iid, `1.0.${patch}`, base, storageDir, sandbox);
        figures[`${kind}.${name}_cold_s`] = seconds(handCold.totalMs);
        figures[`${kind}.${name}.load_1m`] = load();
        const handWarm = await byHand(w, kind, iid + 1, `1.0.${patch + 1}`, base, storageDir, sandbox);
        for (const [run, r] of [
          [`${name}_cold`, handCold],
          [name, handWarm],
        ] as const) {
          console.log(`  ${run} steps (s): ${JSON.stringify(r.steps)}`);
          for (const [step, s] of Object.entries(r.steps)) figures[`${kind}.${run}.${step}_s`] = s;
        }
        return handWarm.totalMs;
      } finally {
        await removeHandStorage(storageDir);
      }
    };
    const hand = await handRuns('restricted', 'hand', 3, 2);
    const handRoot = kind === 'kubernetes' ? await handRuns('baseline', 'hand_root', 5, 4) : undefined;
    Object.assign(figures, {
      [`${kind}.cold_s`]: seconds(cold.totalMs),
      [`${kind}.warm_s`]: seconds(warm.totalMs),
      [`${kind}.hand_warm_s`]: seconds(hand),
      [`${kind}.warm_over_cold`]: Number((warm.totalMs / cold.totalMs).toFixed(2)),
      [`${kind}.warm_over_hand`]: Number((warm.totalMs / hand).toFixed(2)),
    });
    // The target's figure: the hand run has no test stage, so build + deploy is what it compares with.
    const buildDeployMs = (warm.stageMs.build ?? 0) + (warm.stageMs.deploy ?? 0);
    figures[`${kind}.warm_build_deploy_s`] = seconds(buildDeployMs);
    figures[`${kind}.warm_build_deploy_over_hand`] = Number((buildDeployMs / hand).toFixed(2));
    if (handRoot !== undefined) {
      figures[`${kind}.hand_root_warm_s`] = seconds(handRoot);
      figures[`${kind}.warm_build_deploy_over_hand_root`] = Number((buildDeployMs / handRoot).toFixed(2));
    }
    for (const [name, r] of [
      ['cold', cold],
      ['warm', warm],
    ] as const) {
      for (const [stage, ms] of Object.entries(r.stageMs))
        figures[`${kind}.${name}.${stage}_s`] = seconds(ms);
      if (r.peakMiB !== undefined) figures[`${kind}.${name}.builder_peak_MiB`] = r.peakMiB;
    }
    console.log(
      `${kind}: cold ${seconds(cold.totalMs)} s, warm ${seconds(warm.totalMs)} s (${figures[`${kind}.warm_over_cold`]}× cold; target ≤ 0.5), ` +
        `hand baseline ${seconds(hand)} s (warm ${figures[`${kind}.warm_over_hand`]}× hand, build+deploy ${seconds(buildDeployMs)} s = ${figures[`${kind}.warm_build_deploy_over_hand`]}× hand; target ≤ 1.3 on kubernetes)` +
        (warm.peakMiB === undefined
          ? ''
          : `, builder peak ${cold.peakMiB} MiB cold / ${warm.peakMiB} MiB warm`),
    );
    if (handRoot !== undefined)
      console.log(
        `  against a hand run as root in the baseline sandbox (${seconds(handRoot)} s): build+deploy ${figures[`${kind}.warm_build_deploy_over_hand_root`]}×`,
      );
    console.log(`  stages cold ${JSON.stringify(cold.stageMs)} warm ${JSON.stringify(warm.stageMs)}`);
  } finally {
    await w.close();
  }
}
