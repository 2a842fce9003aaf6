/**
 * `npm run test:install`: Ferry installed the way docs/install.md tells an operator, into the
 * Kubernetes double (pods as real containers), driven with /usr/bin/kubectl:
 * 1. the release images built by scripts/build-images.sh and pushed to the loopback registry (once:
 *    every later step reuses them, an upgrade only retags the server image; FERRY_INSTALL_IMAGE_TAG
 *    names the images of an earlier run to reuse, for iterating on this test only);
 * 2. the `single` overlay applied with `kubectl apply -k` (validation on), awaited with
 *    `kubectl rollout status`;
 * 3. a merge's webhooks sent to the Ferry Service: Ferry, in its pod, with its in-cluster identity
 *    and the shipped RBAC only, runs test, build and change pod in runner pods (kubernetes
 *    executor) and deploys the sample service into its namespace;
 * 4. Ferry rolled to a new image tag (the kustomization's `newTag`, applied again) while a pipeline
 *    runs and webhooks keep coming: every accepted pipeline ends, the running one once, no runner
 *    pod is left;
 * 5. the `ha` overlay (external Redis and PostgreSQL) with one Ferry pod deleted under webhook load:
 *    webhooks keep being accepted.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type GitServer, startGitServer } from '@ferry/doubles/git';
import { type GitLabDouble, startGitLabDouble } from '@ferry/doubles/gitlab';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type Docker from 'dockerode';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeIntoTest } from '../../e2e/support/merge-into-test.js';
import { sampleRelease } from '../../e2e/support/sample-service.js';
import { kubeconfigWithToken } from '../../k8s-double/auth/service-account-kubeconfig.js';
import { type K8sDouble, startK8sDouble } from '../../k8s-double/index.js';
import { kubectl, requireKubectl } from '../../k8s-double/kubectl.js';
import { testWebhookSecret } from '../../support/ferry.js';
import { freshPostgresDatabase } from '../../support/history.js';
import { type RedisProcess, startRedisProcess } from '../../support/redis-process.js';
import { connectTestDocker, type TestRegistry, testImages, testRegistry } from '../../support/services.js';
import { explainPipeline, isTerminal, pipelineEnd, readPipeline } from '../support/ferry-api.js';
import { buildAndPushImages, type InstallImages, pulledImages, retagServer } from '../support/images.js';
import { writeOverlay } from '../support/overlay.js';
import { firstRunnerPod, RUNNER_NAMESPACE, runnerPods, watchRunnerPods } from '../support/runner-pods.js';
import { hostSampleProject, type SampleProject } from '../support/sample-project.js';
import { hostLoadProject, type LoadResult, startWebhookLoad } from '../support/webhook-load.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

let docker: Docker;
let gitlab: GitLabDouble;
let git: GitServer;
let images: InstallImages;
let registry: TestRegistry;
/** Tags this run added to the engine (the upgrade's), removed at the end. */
const addedImages: string[] = [];
/** FERRY_INSTALL_IMAGE_TAG: reuse the images an earlier run pushed (iterating on this test only). */
const reusedTag = process.env.FERRY_INSTALL_IMAGE_TAG;
const tag = reusedTag ?? `install-${randomBytes(3).toString('hex')}`;
const loadIds = { single: 900_001 + Math.floor(Math.random() * 50_000), ha: 0 };
loadIds.ha = loadIds.single + 1;

beforeAll(async () => {
  requireKubectl();
  docker = await connectTestDocker();
  registry = testRegistry();
  const started = Date.now();
  images =
    reusedTag !== undefined
      ? await pulledImages(docker, registry, reusedTag)
      : await buildAndPushImages(docker, root, registry, tag, testImages.redis);
  console.log(
    `install: images built and pushed in ${((Date.now() - started) / 1000).toFixed(0)} s\n${images.sizes}`,
  );
  gitlab = await startGitLabDouble();
  // The clone token is Ferry's GitLab token, as for a GitLab-hosted repository.
  git = await startGitServer({ token: gitlab.token });
});

afterAll(async () => {
  await git?.close();
  await gitlab?.close();
  const built = images && reusedTag === undefined ? [images.server, images.runner, images.redis] : [];
  for (const image of [...built, ...addedImages])
    await docker
      .getImage(image)
      .remove({ force: true })
      .catch(() => undefined);
});

/** One Kubernetes double (a cluster) with kubectl and API clients pointed at it. */
interface Cluster {
  double: K8sDouble;
  core: CoreV1Api;
  apps: AppsV1Api;
  k(args: string[], input?: string, timeoutMs?: number): ReturnType<typeof kubectl>;
}

async function startCluster(): Promise<Cluster> {
  const double = await startK8sDouble();
  const kc = new KubeConfig();
  kc.loadFromFile(double.kubeconfigPath);
  return {
    double,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    k: (args, input, timeoutMs = 120_000) =>
      kubectl(double.kubeconfigPath, args, { timeoutMs, ...(input !== undefined ? { input } : {}) }),
  };
}

/** docs/install.md step 3: the namespaces and the Secrets the operator creates (values never in the repository). */
async function createSecrets(c: Cluster, redis: { password?: string; url: string }, postgresUrl?: string) {
  for (const ns of ['ferry', RUNNER_NAMESPACE])
    await c.core.createNamespace({ body: { metadata: { name: ns } } });
  const auth = Buffer.from(`${registry.username}:${registry.password}`).toString('base64');
  const dockerconfig = JSON.stringify({ auths: { [registry.address]: { auth } } });
  for (const namespace of ['ferry', RUNNER_NAMESPACE])
    await c.core.createNamespacedSecret({
      namespace,
      body: {
        metadata: { name: 'registry-pull' },
        type: 'kubernetes.io/dockerconfigjson',
        stringData: { '.dockerconfigjson': dockerconfig },
      },
    });
  await c.core.createNamespacedSecret({
    namespace: 'ferry',
    body: {
      metadata: { name: 'ferry' },
      stringData: {
        'gitlab-token': gitlab.token,
        'webhook-secret': testWebhookSecret,
        'registry-password': registry.password,
        ...(postgresUrl !== undefined ? { 'history-postgres-url': postgresUrl } : {}),
      },
    },
  });
  await c.core.createNamespacedSecret({
    namespace: 'ferry',
    body: {
      metadata: { name: 'ferry-redis' },
      stringData: { ...(redis.password !== undefined ? { password: redis.password } : {}), url: redis.url },
    },
  });
}

/** The deployer's kubeconfig: a token of the ferry-deployer service account the overlay created. */
async function createDeployerKubeconfig(c: Cluster): Promise<void> {
  const token = await c.k(['-n', 'ferry', 'create', 'token', 'ferry-deployer', '--duration=1h']);
  expect(token, token.stderr).toMatchObject({ code: 0 });
  await c.core.createNamespacedSecret({
    namespace: 'ferry',
    body: {
      metadata: { name: 'ferry-deployer-kubeconfig' },
      stringData: { kubeconfig: kubeconfigWithToken(c.double.kubeconfigYaml, token.stdout.trim(), 'ferry') },
    },
  });
}

async function rolloutStatus(c: Cluster, namespace: string, workload: string, timeoutS = 300): Promise<void> {
  const rollout = await c.k(
    ['-n', namespace, 'rollout', 'status', workload, `--timeout=${timeoutS}s`],
    undefined,
    (timeoutS + 20) * 1000,
  );
  if (rollout.code !== 0) {
    const pods = await c.k(['-n', namespace, 'get', 'pods,events', '-o', 'wide']);
    throw new Error(`${workload} did not roll out: ${rollout.stderr}\n${pods.stdout}`);
  }
}

/**
 * What a service account of the installation may do, asked as that account (`kubectl auth can-i`
 * with a token of it): `yes` or `no`.
 */
async function canI(c: Cluster, serviceAccount: string, args: string[]): Promise<string> {
  const token = await c.k(['-n', 'ferry', 'create', 'token', serviceAccount, '--duration=10m']);
  expect(token, token.stderr).toMatchObject({ code: 0 });
  const dir = await mkdtemp(join(tmpdir(), 'ferry-install-sa-'));
  try {
    const path = join(dir, 'kubeconfig');
    await writeFile(path, kubeconfigWithToken(c.double.kubeconfigYaml, token.stdout.trim(), 'ferry'));
    return (await kubectl(path, ['auth', 'can-i', ...args])).stdout.trim();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The Ferry Service's URL (its ClusterIP, as GitLab's webhooks reach it through the Ingress). */
async function ferryUrl(c: Cluster): Promise<string> {
  const svc = await c.core.readNamespacedService({ namespace: 'ferry', name: 'ferry' });
  return `http://${svc.spec?.clusterIP}:80`;
}

/** Every accepted pipeline of a load run ends: none is lost. Returns how many ended. */
async function allEnd(url: string, ids: string[], timeoutMs: number): Promise<number> {
  let ended = 0;
  for (const id of ids) {
    const p = await pipelineEnd(url, id, timeoutMs);
    if (isTerminal(p.status)) ended += 1;
  }
  return ended;
}

function describeLoad(load: LoadResult): string {
  const failures = load.failures
    .slice(0, 5)
    .map((f) => `${f.atMs} ms: ${f.status} ${f.error ?? ''} (${f.durationMs} ms)`);
  return `sent ${load.sent}, accepted ${load.accepted.length}, answers ${JSON.stringify(load.byStatus)}${failures.length > 0 ? `; first failures ${failures.join('; ')}` : ''}`;
}

describe('install: the single overlay in the Kubernetes double', () => {
  let c: Cluster;
  let sample: SampleProject;
  let overlayDir = '';

  beforeAll(async () => {
    c = await startCluster();
    sample = await hostSampleProject({ root, docker, double: c.double, gitlab, git, kubectl: c.k });
  });

  afterAll(async () => {
    await c?.double.close();
    if (c) expect(await c.double.leftovers()).toEqual([]);
    if (overlayDir) await rm(overlayDir, { recursive: true, force: true });
  });

  const overlayInput = (serverImage?: string) => ({
    root,
    overlay: 'single' as const,
    images,
    ...(serverImage !== undefined ? { serverImage } : {}),
    gitlabUrl: gitlab.url,
    registry,
    pullSecret: 'registry-pull',
    cloneHosts: [git.url],
    allowedBaseImages: [`${registry.address}/ferry-test/*`],
  });

  it('kubectl apply -k (validation on) and kubectl rollout status bring Ferry and its Redis up', async () => {
    overlayDir = await writeOverlay(overlayInput());
    const redisPassword = randomBytes(12).toString('hex');
    await createSecrets(c, { password: redisPassword, url: `redis://:${redisPassword}@ferry-redis:6379` });
    const started = Date.now();
    const applied = await c.k(['apply', '-k', overlayDir, '--validate=strict']);
    expect(applied, applied.stderr).toMatchObject({ code: 0 });
    expect(applied.stdout).toContain('deployment.apps/ferry created');
    expect(applied.stdout).toContain('statefulset.apps/ferry-redis created');
    await createDeployerKubeconfig(c);
    for (const workload of ['statefulset/ferry-redis', 'deployment/ferry'])
      await rolloutStatus(c, 'ferry', workload);
    const seconds = (Date.now() - started) / 1000;
    console.log(`install: kubectl apply -k overlays/single → ready in ${seconds.toFixed(1)} s`);
    // Ferry's pod runs the pushed image, as its service account, pulled with the pull secret.
    const pods = await c.core.listNamespacedPod({
      namespace: 'ferry',
      labelSelector: 'app.kubernetes.io/name=ferry',
    });
    expect(pods.items.map((p) => p.spec?.containers[0]?.image)).toEqual([images.server]);
    expect(pods.items[0]?.spec?.serviceAccountName).toBe('ferry');
    expect(pods.items[0]?.status?.containerStatuses?.[0]?.imageID).toMatch(
      new RegExp(`^docker-pullable://${registry.address}/ferry-install/server@sha256:`),
    );
  });

  it('a merge sent to the Ferry Service is released by Ferry in its pod: test, build and change pod in runner pods, the sample service rolled out in its namespace', async () => {
    const url = await ferryUrl(c);
    expect((await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(10_000) })).status).toBe(200);
    const runners = watchRunnerPods(c.core);
    const started = Date.now();
    const { sha, answers } = await mergeIntoTest(
      { repo: sample.repo, gitlab, project: sample.project, ferry: { url } },
      1,
      'Ship 0.2.0',
      sampleRelease('0.2.0'),
      ['Merge Request Hook', 'Push Hook'],
    );
    // One merge, one pipeline: the push of the merge commit is the same pipeline.
    expect(answers[0]).toMatchObject({ status: 201, result: 'created' });
    const pipelineId = answers[0]?.pipelineId as string;
    expect(answers[1]).toMatchObject({ status: 200, result: 'duplicate', pipelineId });
    const p = await pipelineEnd(url, pipelineId, 420_000);
    const seen = await runners.stop();
    expect(p.status, await explainPipeline(url, p)).toBe('success');
    console.log(
      `install: merge → pipeline ${pipelineId} success in ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
    expect(p.stages.map((s) => [s.name, s.status])).toEqual([
      ['test', 'success'],
      ['build', 'success'],
      ['deploy', 'success'],
    ]);
    // Each stage ran in a runner pod Ferry created with its in-cluster identity; none is left.
    expect(seen.size, [...seen].join(', ')).toBeGreaterThanOrEqual(3);
    expect(await runnerPods(c.core)).toEqual([]);
    // That identity (the pod's service account `ferry`, no kubeconfig in its configuration) holds
    // the shipped RBAC only: runner pods in ferry-runners, nothing in the application namespace or
    // among Ferry's own Secrets; the deploy went through the ferry-deployer kubeconfig it was given.
    expect(await canI(c, 'ferry', ['create', 'pods', '-n', RUNNER_NAMESPACE])).toBe('yes');
    expect(await canI(c, 'ferry', ['create', 'deployments', '-n', sample.namespace])).toBe('no');
    expect(await canI(c, 'ferry', ['get', 'secrets', '-n', 'ferry'])).toBe('no');
    expect(await canI(c, 'ferry-deployer', ['create', 'deployments', '-n', sample.namespace])).toBe('yes');
    // The sample service runs in its namespace, from the image built of the merge commit.
    await rolloutStatus(c, sample.namespace, 'deployment/sample-service', 120);
    const deployment = await c.apps.readNamespacedDeployment({
      namespace: sample.namespace,
      name: 'sample-service',
    });
    const image = deployment.spec?.template.spec?.containers[0]?.image ?? '';
    expect(image).toMatch(new RegExp(`^${registry.address}/${sample.project.group}/sample-service[:@]`));
    expect(await sampleAnswer(c, sample.namespace)).toBe('0.2.0');
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
  });

  it('rolling Ferry to a new image tag while a pipeline runs and webhooks come: every accepted pipeline ends, the running one once, no runner pod is left', async () => {
    const url = await ferryUrl(c);
    const loadProject = hostLoadProject(gitlab, loadIds.single, `${sample.project.group}/load`);
    const { sha, answers } = await mergeIntoTest(
      { repo: sample.repo, gitlab, project: sample.project, ferry: { url } },
      2,
      'Ship 0.3.0',
      sampleRelease('0.3.0'),
      ['Push Hook'],
    );
    expect(answers[0]).toMatchObject({ status: 201, result: 'created' });
    const pipelineId = answers[0]?.pipelineId as string;
    await firstRunnerPod(c.core, 120_000);
    // The upgrade: the same build under a new tag, set as `newTag` in the operator's kustomization.
    const next = await retagServer(docker, images, registry, `${tag}-next-${randomBytes(2).toString('hex')}`);
    addedImages.push(next);
    const load = startWebhookLoad({
      url: () => url,
      gitlab,
      project: loadProject,
      token: testWebhookSecret,
      intervalMs: 250,
    });
    let result: LoadResult | undefined;
    const rolledAt = Date.now();
    try {
      await writeOverlay(overlayInput(next), overlayDir);
      const applied = await c.k(['apply', '-k', overlayDir, '--validate=strict']);
      expect(applied, applied.stderr).toMatchObject({ code: 0 });
      expect(applied.stdout).toContain('deployment.apps/ferry configured');
      await rolloutStatus(c, 'ferry', 'deployment/ferry');
      // A few more deliveries to the new pod.
      await new Promise((r) => setTimeout(r, 2_000));
    } finally {
      result = await load.stop();
    }
    console.log(`install: during the roll to ${next}: ${describeLoad(result)}`);
    const pods = await c.core.listNamespacedPod({
      namespace: 'ferry',
      labelSelector: 'app.kubernetes.io/name=ferry',
    });
    expect(pods.items.map((p) => p.spec?.containers[0]?.image)).toEqual([next]);

    // The pipeline that ran across the roll ends, once: its GitLab statuses (the pipeline's `ferry`
    // and one per stage) each reached an end exactly once and none was retried.
    const p = await pipelineEnd(url, pipelineId, 420_000);
    expect(p.status, await explainPipeline(url, p)).toBe('success');
    // It was still running when the roll began.
    expect(Date.parse(p.finishedAt ?? '')).toBeGreaterThan(rolledAt);
    const ends = gitlab
      .transitions(sample.project.id, sha)
      .filter((t) => ['success', 'failed', 'canceled', 'skipped'].includes(t.to))
      .map((t) => t.name)
      .sort();
    expect(ends).toEqual(['ferry', 'ferry/build', 'ferry/deploy', 'ferry/test']);
    expect(gitlab.statuses(sample.project.id, sha).filter((s) => s.retried)).toEqual([]);
    await rolloutStatus(c, sample.namespace, 'deployment/sample-service', 120);
    expect(await sampleAnswer(c, sample.namespace)).toBe('0.3.0');

    // Nothing accepted is lost: every delivery answered 201 has its pipeline, and it ends.
    expect(result.accepted.length).toBeGreaterThan(0);
    expect(await allEnd(url, result.accepted, 120_000)).toBe(result.accepted.length);
    expect(await runnerPods(c.core)).toEqual([]);
  });
});

/** What the sample service answers through its Service (its version). */
async function sampleAnswer(c: Cluster, namespace: string): Promise<string> {
  const svc = await c.core.readNamespacedService({ namespace, name: 'sample-service' });
  const port = svc.spec?.ports?.[0]?.port;
  const res = await fetch(`http://${svc.spec?.clusterIP}:${port}/`, { signal: AbortSignal.timeout(10_000) });
  return res.text();
}

describe('install: the ha overlay, one Ferry pod deleted under load', () => {
  let c: Cluster;
  let redis: RedisProcess;
  let overlayDir = '';

  beforeAll(async () => {
    // The operator's own Redis (noeviction, AOF, a password) and PostgreSQL, on loopback.
    const password = randomBytes(12).toString('hex');
    redis = await startRedisProcess(['--maxmemory-policy', 'noeviction', '--appendonly', 'yes']);
    const admin = new Redis(redis.url);
    await admin.config('SET', 'requirepass', password);
    admin.disconnect();
    const postgresUrl = await freshPostgresDatabase();
    c = await startCluster();
    await createSecrets(c, { url: `redis://:${password}@127.0.0.1:${redis.port}` }, postgresUrl);
    overlayDir = await writeOverlay({
      root,
      overlay: 'ha',
      images,
      gitlabUrl: gitlab.url,
      registry,
      pullSecret: 'registry-pull',
    });
  });

  afterAll(async () => {
    await c?.double.close();
    if (c) expect(await c.double.leftovers()).toEqual([]);
    await redis?.stop();
    if (overlayDir) await rm(overlayDir, { recursive: true, force: true });
  });

  it('webhooks keep being accepted while one Ferry pod is deleted and replaced', async () => {
    const started = Date.now();
    const applied = await c.k(['apply', '-k', overlayDir, '--validate=strict']);
    expect(applied, applied.stderr).toMatchObject({ code: 0 });
    await createDeployerKubeconfig(c);
    for (const workload of ['deployment/ferry', 'deployment/ferry-api'])
      await rolloutStatus(c, 'ferry', workload);
    console.log(
      `install: kubectl apply -k overlays/ha → ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    const url = await ferryUrl(c);
    const servers = await c.core.listNamespacedPod({
      namespace: 'ferry',
      labelSelector: 'app.kubernetes.io/name=ferry,app.kubernetes.io/component=server',
    });
    expect(servers.items).toHaveLength(2);
    const victim = servers.items[0]?.metadata?.name as string;

    const loadProject = hostLoadProject(gitlab, loadIds.ha, 'install-ha/load');
    const load = startWebhookLoad({
      url: () => url,
      gitlab,
      project: loadProject,
      token: testWebhookSecret,
      intervalMs: 200,
      parallel: 2,
    });
    const loadBegan = Date.now();
    let deletedAtMs = 0;
    let result: LoadResult | undefined;
    let before = 0;
    try {
      await new Promise((r) => setTimeout(r, 2_000));
      deletedAtMs = Date.now() - loadBegan;
      const deleted = await c.k(['-n', 'ferry', 'delete', 'pod', victim, '--wait=false']);
      expect(deleted, deleted.stderr).toMatchObject({ code: 0 });
      before = Date.now();
      // The Deployment replaces it; load goes on until the replacement is ready, and a little after.
      await rolloutStatus(c, 'ferry', 'deployment/ferry');
      await waitForPodGone(c, victim, 120_000);
      await new Promise((r) => setTimeout(r, 2_000));
    } finally {
      result = await load.stop();
    }
    console.log(
      `install: ha, pod ${victim} deleted ${deletedAtMs} ms into the load (${((Date.now() - before) / 1000).toFixed(0)} s until replaced and gone): ${describeLoad(result)}`,
    );
    const now = await c.core.listNamespacedPod({
      namespace: 'ferry',
      labelSelector: 'app.kubernetes.io/name=ferry,app.kubernetes.io/component=server',
    });
    expect(now.items.map((p) => p.metadata?.name)).not.toContain(victim);
    expect(now.items).toHaveLength(2);
    // Every delivery was accepted: the Service sent none to the pod once it was terminating.
    expect(result.byStatus, describeLoad(result)).toEqual({ '201': result.sent });
    expect(await allEnd(url, result.accepted, 120_000)).toBe(result.accepted.length);
    // Pipelines read through any replica: they share Redis and the PostgreSQL archive.
    expect(await readPipeline(url, result.accepted[0] as string)).toMatchObject({ id: result.accepted[0] });
  });
});

async function waitForPodGone(c: Cluster, name: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pods = await c.core.listNamespacedPod({ namespace: 'ferry' });
    if (!pods.items.some((p) => p.metadata?.name === name)) return;
    if (Date.now() > deadline) throw new Error(`pod ${name} still exists after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
