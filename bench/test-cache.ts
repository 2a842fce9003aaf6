// bench:test-cache — the test stage of a sample service with a dependency install, cold (cache
// miss) and warm (cache hit), on the docker executor and the kubernetes executor (against the
// Kubernetes test double, the cache in a PVC), at executor level: prepare → clone → cache restore →
// a Redis service ready → `npm ci --offline` (skipped when node_modules came from the cache) →
// `npm test` (its integration test talks to the Redis at 127.0.0.1:6379) → cache save → end.
// Separate from bench:release, which takes minutes per executor (build and rollout). Target
// (issue 17): warm ≤ 0.5× cold on both. Ends with one JSON line of every figure.
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { startGitServer } from '@ferry/doubles/git';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import Docker from 'dockerode';
import { cacheVolumeName } from '../packages/server/src/executors/docker/cache-specs.js';
import { DockerExecutor } from '../packages/server/src/executors/docker/index.js';
import type { Executor, StageJob } from '../packages/server/src/executors/executor.js';
import { KubernetesExecutor } from '../packages/server/src/executors/kubernetes/index.js';
import { runStageToEnd } from '../test/executors/run-stage.js';
import { ensureRunnerImage } from '../test/executors/runner-build.js';
import { startK8sDouble } from '../test/k8s-double/index.js';
import { testImages } from '../test/support/services.js';
import { NPM_BASE, npmBase, vendoredDependencies } from './lib/sample-dependencies.js';

const { values } = parseArgs({ options: { kinds: { type: 'string', default: 'docker,kubernetes' } } });
const kinds = (values.kinds ?? '').split(',').filter((k) => k === 'docker' || k === 'kubernetes');

/** The integration test: every dependency loads, and the Redis service answers PING. */
const TEST_JS = [
  "const net = require('net');",
  "for (const d of Object.keys(require('./package.json').dependencies)) require(d);",
  "const s = net.connect(6379, '127.0.0.1', () => s.write('PING\\r\\n'));",
  "s.on('data', (d) => { if (!String(d).startsWith('+PONG')) process.exit(1); console.log('redis says', String(d).trim()); s.end(); });",
  "s.on('error', (e) => { console.error(e.message); process.exit(1); });",
  '',
].join('\n');

async function runStage(executor: Executor, job: StageJob): Promise<{ ms: number; log: string }> {
  const { result, log, ms } = await runStageToEnd(executor, job, 600_000);
  if (result.status !== 'success') throw new Error(`the stage ${result.status}: ${result.reason}\n${log}`);
  return { ms, log };
}

const figures: Record<string, number | string> = {};
const prefix = `bc${randomBytes(3).toString('hex')}`;
await npmBase();
const runnerImage = await ensureRunnerImage();
const deps = await vendoredDependencies();
const git = await startGitServer();
const repo = await git.createRepo('group/cached', { ...deps.files, 'test.js': TEST_JS }, 'main');
const sha = await repo.head('main');
const projectId = 700_000 + Math.floor(Math.random() * 100_000);
const job = (n: number): StageJob => ({
  pipelineId: `${prefix}${n}`,
  stage: 'test',
  attempt: 1,
  project: { id: projectId, path: 'group/cached', cloneUrl: repo.cloneUrl },
  ref: 'main',
  sha,
  image: NPM_BASE,
  script: [
    'if [ ! -d node_modules ]; then npm ci --offline --ignore-scripts --no-audit --no-fund; fi',
    'npm test',
  ],
  env: {},
  secretEnv: {},
  timeoutMs: 600_000,
  owner: prefix,
  services: [{ name: 'redis', image: testImages.redis, env: {}, readyTcp: 6379, readyTimeoutMs: 60_000 }],
  cache: { name: 'test', keyFiles: ['package-lock.json'], paths: ['node_modules'], save: true },
});

async function measure(kind: string, executor: Executor): Promise<void> {
  const cold = await runStage(executor, job(1));
  if (!cold.log.includes('ferry: cache miss') || !cold.log.includes('ferry: cache saved')) {
    throw new Error(`${kind}: the cold run did not miss and save:\n${cold.log}`);
  }
  const warm = await runStage(executor, job(2));
  if (!warm.log.includes('ferry: cache hit'))
    throw new Error(`${kind}: the warm run did not hit:\n${warm.log}`);
  const ratio = warm.ms / cold.ms;
  figures[`${kind}_cold_ms`] = Math.round(cold.ms);
  figures[`${kind}_warm_ms`] = Math.round(warm.ms);
  figures[`${kind}_warm_over_cold`] = Number(ratio.toFixed(2));
  console.log(
    `${kind}: test stage (${deps.count} packages, redis service) cold ${(cold.ms / 1000).toFixed(1)} s, warm ${(warm.ms / 1000).toFixed(1)} s: ${ratio.toFixed(2)}× (target ≤ 0.5×) ${ratio <= 0.5 ? 'met' : 'NOT met'}`,
  );
}

try {
  if (kinds.includes('docker')) {
    const docker = new Docker();
    try {
      await measure('docker', new DockerExecutor({ docker, runnerImage, pull: 'never' }));
    } finally {
      await docker
        .getVolume(cacheVolumeName(job(0)))
        .remove()
        .catch(() => {});
    }
  }
  if (kinds.includes('kubernetes')) {
    const double = await startK8sDouble();
    try {
      const kc = new KubeConfig();
      kc.loadFromString(double.kubeconfigYaml);
      const namespace = `ferry-bench-${prefix}`;
      const core = kc.makeApiClient(CoreV1Api);
      await core.createNamespace({ body: { metadata: { name: namespace } } });
      await core.createNamespacedPersistentVolumeClaim({
        namespace,
        body: {
          metadata: { name: 'ferry-cache' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } } },
        },
      });
      const executor = new KubernetesExecutor({
        kubeConfig: kc,
        config: {
          namespace,
          runnerImage,
          nodeSelector: {},
          tolerations: [],
          imagePullSecrets: [],
          pendingTimeout: 120_000,
          buildSeccompProfile: 'ferry-build.json',
          runAsUser: 10001,
          cloneResources: { cpu: '500m', memory: '512Mi' },
          stepResources: { cpu: '2', memory: '2Gi' },
          serviceResources: { cpu: '250m', memory: '256Mi' },
          cache: { claimName: 'ferry-cache', maxBytes: 2 * 1024 ** 3 },
        },
      });
      await measure('kubernetes', executor);
    } finally {
      await double.close();
    }
  }
} finally {
  await git.close();
}
figures.load_average_1m = Number(loadavg()[0]?.toFixed(2));
console.log(
  `load average ${loadavg()
    .map((n) => n.toFixed(2))
    .join(' ')}`,
);
console.log(JSON.stringify({ bench: 'test-cache', ...figures }));
