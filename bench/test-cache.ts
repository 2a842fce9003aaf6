// bench:test-cache — the test stage of a sample service with a dependency install, cold (cache
// miss) and warm (cache hit), on the docker executor and the kubernetes executor (against the
// Kubernetes test double, the cache in a PVC), at executor level: prepare → clone → cache restore →
// services ready (a Redis, and the npm registry the service installs from) → `npm ci` (skipped when
// node_modules came from the cache) → `npm test` (every locked package installed, the runtime
// dependencies load, the Redis at 127.0.0.1:6379 answers) → cache save → end. The sample is sized as
// a real service (lib/sample-registry.ts: ~300 packages, ~35 MB of tarballs, the dependency set of
// Ferry's own server), so its install dominates as a real one's does. Separate from bench:release,
// which takes minutes per executor (build and rollout). Target (issue 17): warm ≤ 0.5× cold on
// both. Prints each figure with the load average beside it; ends with one JSON line of every figure.
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
import { NPM_BASE, npmBase } from './lib/sample-dependencies.js';
import { REGISTRY_PORT, sampleService } from './lib/sample-registry.js';

const { values } = parseArgs({ options: { kinds: { type: 'string', default: 'docker,kubernetes' } } });
const kinds = (values.kinds ?? '').split(',').filter((k) => k === 'docker' || k === 'kubernetes');

async function runStage(executor: Executor, job: StageJob): Promise<{ ms: number; log: string }> {
  const { result, log, ms } = await runStageToEnd(executor, job, 600_000);
  if (result.status !== 'success') throw new Error(`the stage ${result.status}: ${result.reason}\n${log}`);
  return { ms, log };
}

const figures: Record<string, number | string> = {};
const prefix = `bc${randomBytes(3).toString('hex')}`;
await npmBase();
const runnerImage = await ensureRunnerImage();
const sample = await sampleService();
const git = await startGitServer();
const repo = await git.createRepo('group/cached', sample.files, 'main');
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
    `if [ ! -d node_modules ]; then npm ci --registry=http://127.0.0.1:${REGISTRY_PORT}/ --cache="$PWD/.npm-cache" --ignore-scripts --no-audit --no-fund; fi`,
    'npm test',
  ],
  env: {},
  secretEnv: {},
  timeoutMs: 600_000,
  owner: prefix,
  services: [
    { name: 'redis', image: testImages.redis, env: {}, readyTcp: 6379, readyTimeoutMs: 60_000 },
    { name: 'npm', image: sample.registryImage, env: {}, readyTcp: REGISTRY_PORT, readyTimeoutMs: 60_000 },
  ],
  cache: { name: 'test', keyFiles: ['package-lock.json'], paths: ['node_modules'], save: true },
});

function load(): string {
  return loadavg()
    .map((n) => n.toFixed(1))
    .join(' ');
}

async function measure(kind: string, executor: Executor): Promise<void> {
  const loadBefore = load();
  const cold = await runStage(executor, job(1));
  const loadCold = load();
  if (!cold.log.includes('ferry: cache miss') || !cold.log.includes('ferry: cache saved')) {
    throw new Error(`${kind}: the cold run did not miss and save:\n${cold.log}`);
  }
  if (!cold.log.includes('added ')) throw new Error(`${kind}: the cold run did not install:\n${cold.log}`);
  const warm = await runStage(executor, job(2));
  const loadWarm = load();
  if (!warm.log.includes('ferry: cache hit'))
    throw new Error(`${kind}: the warm run did not hit:\n${warm.log}`);
  const ratio = warm.ms / cold.ms;
  figures[`${kind}_cold_ms`] = Math.round(cold.ms);
  figures[`${kind}_warm_ms`] = Math.round(warm.ms);
  figures[`${kind}_warm_over_cold`] = Number(ratio.toFixed(2));
  figures[`${kind}_load_1m_after_cold`] = Number(loadCold.split(' ')[0]);
  figures[`${kind}_load_1m_after_warm`] = Number(loadWarm.split(' ')[0]);
  const lines = (log: string) => log.split('\n').filter((l) => /^(ferry: cache|added \d+ packages)/.test(l));
  console.log(`${kind} cold: ${lines(cold.log).join(' | ')}`);
  console.log(`${kind} warm: ${lines(warm.log).join(' | ')}`);
  console.log(
    `${kind}: test stage (${sample.packages} packages, ${(sample.tarballBytes / 1024 ** 2).toFixed(0)} MB of tarballs, redis and npm registry services) ` +
      `cold ${(cold.ms / 1000).toFixed(1)} s (load ${loadBefore} → ${loadCold}), warm ${(warm.ms / 1000).toFixed(1)} s (load → ${loadWarm}): ` +
      `${ratio.toFixed(2)}× (target ≤ 0.5×) ${ratio <= 0.5 ? 'met' : 'NOT met'}`,
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
          buildSandbox: 'restricted',
          runAsUser: 10001,
          cloneResources: { cpu: '500m', memory: '512Mi' },
          stepResources: { cpu: '2', memory: '2Gi' },
          // The registry sidecar serves the whole install: a service's default 250m would slow the
          // cold run (the double applies limits), flattering the ratio.
          serviceResources: { cpu: '1', memory: '512Mi' },
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
figures.sample_packages = sample.packages;
figures.sample_tarball_mb = Number((sample.tarballBytes / 1024 ** 2).toFixed(1));
figures.load_average_1m = Number(loadavg()[0]?.toFixed(2));
console.log(
  `load average ${loadavg()
    .map((n) => n.toFixed(2))
    .join(' ')}`,
);
console.log(JSON.stringify({ bench: 'test-cache', ...figures }));
