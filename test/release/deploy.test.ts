/**
 * `ferry-runner deploy` against the Kubernetes test double, with images built and pushed to the
 * real registry and pulled by the double's pods through the pull secret Ferry creates.
 */
import { randomBytes } from 'node:crypto';
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  NetworkingV1Api,
  PatchStrategy,
  setHeaderOptions,
  type V1Deployment,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployCommand } from '../../packages/runner/src/deploy/deploy-command.js';
import { type K8sDouble, startK8sDouble } from '../k8s-double/index.js';
import { connectTestDocker } from '../support/services.js';
import {
  errorOf,
  planFor,
  randomSha,
  registry,
  registryEnv,
  runSubcommand,
  uniqueSuffix,
} from './release-support.js';
import { buildSampleApp, type SampleImage } from './sample-app.js';

let double: K8sDouble;
let core: CoreV1Api;
let apps: AppsV1Api;
let net: NetworkingV1Api;

beforeAll(async () => {
  await connectTestDocker();
  double = await startK8sDouble();
  const kc = new KubeConfig();
  kc.loadFromFile(double.kubeconfigPath);
  core = kc.makeApiClient(CoreV1Api);
  apps = kc.makeApiClient(AppsV1Api);
  net = kc.makeApiClient(NetworkingV1Api);
});

afterAll(async () => {
  if (double === undefined) return;
  await double.close();
  expect(await double.leftovers()).toEqual([]);
});

async function get(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return response.text();
}

/** Answers of the Service, read a few times (the proxy spreads connections over ready pods). */
async function answers(namespace: string, service: string, times = 4): Promise<Set<string>> {
  const url = await double.serviceUrl(namespace, service, { timeoutMs: 60_000 });
  const seen = new Set<string>();
  for (let i = 0; i < times; i++) seen.add(await get(url));
  return seen;
}

function deploy(plan: object, image: SampleImage, extra: Record<string, string> = {}) {
  return runSubcommand(deployCommand, {
    FERRY_PLAN: JSON.stringify(plan),
    FERRY_IMAGE: image.reference,
    ...registryEnv(),
    FERRY_KUBECONFIG: double.kubeconfigYaml,
    FERRY_DEPLOY_META: JSON.stringify({
      pipelineId: `pipe-${uniqueSuffix()}`,
      mergedBy: 'alice',
      commit: image.sha,
    }),
    ...extra,
  });
}

/**
 * A progress deadline no test waits for: a rollout that fails under it was failed by a hopeless
 * pod, not by the deadline.
 */
const LONG_DEADLINE_MS = 600_000;

/** A pinned reference to an image the registry does not have (its pull fails: manifest unknown). */
function missingImage(service: string): SampleImage {
  return {
    reference: `${registry.address}/ferry-release/${service}@sha256:${randomBytes(32).toString('hex')}`,
    sha: randomSha(),
  };
}

/** The plan with a short progress deadline (the spec's floor is 30s; the plan is the runner's contract). */
function withDeadline<T extends { deploy: { rollout: object } }>(plan: T, ms: number): T {
  return { ...plan, deploy: { ...plan.deploy, rollout: { ...plan.deploy.rollout, progressDeadlineMs: ms } } };
}

describe('ferry-runner deploy', () => {
  const service = `web-${uniqueSuffix()}`;
  const group = `rel${uniqueSuffix()}`;
  const namespace = `${group}-test`;
  const override = [
    `service: ${service}`,
    `group: ${group}`,
    'stages:',
    '  deploy:',
    '    port: 8080',
    '    storage: { size: 64Mi, mountPath: /data }',
    '    ingress: { host: "{service}.{env}.example.com" }',
    '    env: { GREETING: hello }',
  ].join('\n');
  const planAt = (sha: string) =>
    withDeadline(planFor(override, { project: `ferry-release/${service}`, sha }), 20_000);
  let v1: SampleImage;
  let v2: SampleImage;

  beforeAll(async () => {
    [v1, v2] = [await buildSampleApp(service, 'v1'), await buildSampleApp(service, 'v2')];
  });

  it('first deploy creates the namespace, pull secret, claim, service, deployment and ingress; the pod answers', async () => {
    const run = await deploy(planAt(v1.sha), v1);
    expect(run.stderr).toBe('');
    expect(run.exit).toBe(0);
    expect(run.result).toMatchObject({
      deployed: v1.reference,
      commit: v1.sha,
      revision: 1,
      namespace,
      deployment: service,
      // Nothing ran before: the orchestrator records the manifests without previous-release annotations.
      previous: null,
    });
    for (const line of [
      `Namespace ${namespace} created`,
      `Secret ${namespace}/ferry-registry created`,
      `PersistentVolumeClaim ${namespace}/${service}-data created`,
      `Service ${namespace}/${service} created`,
      `Deployment ${namespace}/${service} created`,
      `Ingress ${namespace}/${service} created`,
    ])
      expect(run.stdout).toContain(line);
    expect(run.stdout).not.toContain(registryEnv().FERRY_REGISTRY_PASSWORD);

    const secret = await core.readNamespacedSecret({ namespace, name: 'ferry-registry' });
    expect(secret.type).toBe('kubernetes.io/dockerconfigjson');
    const d = await apps.readNamespacedDeployment({ namespace, name: service });
    expect(d.spec?.template.spec?.containers[0]?.image).toBe(v1.reference);
    expect(d.metadata?.annotations).toMatchObject({
      'ferry.dev/commit': v1.sha,
      'ferry.dev/merged-by': 'alice',
      'ferry.dev/project': `ferry-release/${service}`,
    });
    expect(d.metadata?.managedFields?.map((m) => `${m.manager}/${m.operation}`)).toContain('ferry/Apply');
    const ingress = await net.readNamespacedIngress({ namespace, name: service });
    expect(ingress.spec?.rules?.[0]?.host).toBe(`${service}.test.example.com`);
    expect(await answers(namespace, service)).toEqual(new Set(['v1']));
  });

  it('a later deploy changes only what differs and keeps what an operator set', async () => {
    // An operator's own fields, written with another field manager.
    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    await apps.patchNamespacedDeployment(
      {
        namespace,
        name: service,
        fieldManager: 'kubectl-annotate',
        body: { metadata: { annotations: { 'ops.example.com/owner': 'team-a' } } },
      },
      merge,
    );
    await core.patchNamespacedService(
      {
        namespace,
        name: service,
        fieldManager: 'kubectl-label',
        body: { metadata: { labels: { 'ops.example.com/tier': 'gold' } } },
      },
      merge,
    );
    // The Service an operator labelled is compared by content: the double re-orders managedFields
    // (and so bumps the resourceVersion) when a manager re-applies after another one wrote.
    const versions = async () => ({
      namespace: (await core.readNamespace({ name: namespace })).metadata?.resourceVersion,
      secret: (await core.readNamespacedSecret({ namespace, name: 'ferry-registry' })).metadata
        ?.resourceVersion,
      claim: (await core.readNamespacedPersistentVolumeClaim({ namespace, name: `${service}-data` })).metadata
        ?.resourceVersion,
      ingress: (await net.readNamespacedIngress({ namespace, name: service })).metadata?.resourceVersion,
      service: await core
        .readNamespacedService({ namespace, name: service })
        .then((s) => ({ spec: s.spec, labels: s.metadata?.labels })),
    });
    const before = await versions();

    const run = await deploy(planAt(v2.sha), v2);
    expect(run.exit).toBe(0);
    expect(run.result).toMatchObject({
      deployed: v2.reference,
      commit: v2.sha,
      revision: 2,
      previous: { image: v1.reference, commit: v1.sha },
    });
    expect(run.stdout).toContain(`Deployment ${namespace}/${service} configured`);
    for (const kind of ['Namespace', 'Secret', 'PersistentVolumeClaim', 'Ingress'])
      expect(run.stdout).toMatch(new RegExp(`${kind} ${namespace}[^\\n]* unchanged`));
    expect(await versions()).toEqual(before);

    const d = await apps.readNamespacedDeployment({ namespace, name: service });
    expect(d.metadata?.annotations).toMatchObject({
      'ops.example.com/owner': 'team-a',
      'ferry.dev/commit': v2.sha,
      'ferry.dev/previous-image': v1.reference,
      'ferry.dev/previous-commit': v1.sha,
    });
    const svc = await core.readNamespacedService({ namespace, name: service });
    expect(svc.metadata?.labels?.['ops.example.com/tier']).toBe('gold');
    expect(await answers(namespace, service)).toEqual(new Set(['v2']));
  });

  it('the same release deployed again (a deploy stage repeated) changes nothing, and the log says so', async () => {
    const before = await apps.readNamespacedDeployment({ namespace, name: service });
    const run = await deploy(planAt(v2.sha), v2);
    expect(run.exit).toBe(0);
    expect(run.result).toMatchObject({ deployed: v2.reference, previous: { image: v1.reference } });
    for (const kind of ['Namespace', 'Secret', 'PersistentVolumeClaim', 'Service', 'Ingress'])
      expect(run.stdout).toMatch(new RegExp(`${kind} ${namespace}[^\\n]* unchanged`));
    // (The double bumps a Deployment's resourceVersion when a manager re-applies after another
    // manager wrote: its apply line may say configured; its generation, the spec's, stays.)
    expect(run.stdout).not.toMatch(/ created\n/);
    expect(run.stdout).toContain(`nothing changed: ${v2.reference} already runs in ${namespace}/${service}`);
    const after = await apps.readNamespacedDeployment({ namespace, name: service });
    expect(after.metadata?.generation).toBe(before.metadata?.generation);
    expect(after.metadata?.annotations?.['ferry.dev/previous-image']).toBe(v1.reference);
  });

  it('a release that crash-loops fails without waiting for its progress deadline and is rolled back; the previous version still answers', async () => {
    const bad = await buildSampleApp(service, 'v3-crashing', true);
    const run = await deploy(withDeadline(planAt(bad.sha), LONG_DEADLINE_MS), bad);
    expect(run.exit).toBe(1);
    expect(errorOf(run)).toMatchObject({ code: 'FERRY_ERR_RELEASE_ROLLOUT_FAILED' });
    expect(errorOf(run).message).toContain(`rolled back to ${v2.sha}`);
    // Failed by the crash loop of a new pod, not by the deadline.
    expect(errorOf(run).message).toMatch(
      /cannot become ready: container \S+ CrashLoopBackOff after \d+ restarts/,
    );
    expect(errorOf(run).message).not.toContain('ProgressDeadlineExceeded');
    expect(run.result).toMatchObject({
      rolledBackTo: v2.sha,
      image: v2.reference,
      failed: bad.reference,
      previous: { image: v2.reference, commit: v2.sha },
    });
    // The failing pods' reasons and their last log lines are in the stage log.
    expect(run.stdout).toMatch(/exit code 3/);
    expect(run.stdout).toContain('crashing on purpose: version v3-crashing');
    expect(run.stdout).toContain(`rolled back ${service} to ${v2.sha}`);

    const d: V1Deployment = await apps.readNamespacedDeployment({ namespace, name: service });
    expect(d.spec?.template.spec?.containers[0]?.image).toBe(v2.reference);
    expect(d.metadata?.annotations?.['ferry.dev/rolled-back-from']).toBe(bad.reference);
    expect(await answers(namespace, service)).toEqual(new Set(['v2']));
  });

  it('a release whose image is missing from the registry fails on the pull, not at its progress deadline, and is rolled back', async () => {
    const missing = missingImage(service);
    const run = await deploy(withDeadline(planAt(missing.sha), LONG_DEADLINE_MS), missing);
    expect(run.exit).toBe(1);
    expect(errorOf(run)).toMatchObject({ code: 'FERRY_ERR_RELEASE_ROLLOUT_FAILED' });
    expect(errorOf(run).message).toContain(`rolled back to ${v2.sha}`);
    expect(errorOf(run).message).toMatch(
      /cannot become ready: container \S+ (ImagePullBackOff|ErrImagePull)/,
    );
    expect(errorOf(run).message).not.toContain('ProgressDeadlineExceeded');
    expect(run.result).toMatchObject({
      rolledBackTo: v2.sha,
      image: v2.reference,
      failed: missing.reference,
    });
    // The pod diagnostics: the waiting reason and the kubelet's Failed events.
    expect(run.stdout).toMatch(/container \S+ waiting: (ImagePullBackOff|ErrImagePull)/);
    expect(run.stdout).toContain(`Failed to pull image "${missing.reference}"`);
    expect(run.stdout).toContain(`rolled back ${service} to ${v2.sha}`);

    const d = await apps.readNamespacedDeployment({ namespace, name: service });
    expect(d.spec?.template.spec?.containers[0]?.image).toBe(v2.reference);
    expect(await answers(namespace, service)).toEqual(new Set(['v2']));
  });
});

describe('ferry-runner deploy with a canary', () => {
  const service = `can-${uniqueSuffix()}`;
  const group = `rel${uniqueSuffix()}`;
  const namespace = `${group}-test`;
  const override = [
    `service: ${service}`,
    `group: ${group}`,
    'environments:',
    '  test: { branch: test, namespace: "{group}-test", replicas: 2, canary: { steps: [50, 100], pause: 1s } }',
  ].join('\n');
  const planAt = (sha: string) =>
    withDeadline(planFor(override, { project: `ferry-release/${service}`, sha }), 20_000);
  let v1: SampleImage;
  let v2: SampleImage;

  beforeAll(async () => {
    [v1, v2] = [await buildSampleApp(service, 'c1'), await buildSampleApp(service, 'c2')];
    const first = await deploy(planAt(v1.sha), v1);
    if (first.exit !== 0) throw new Error(first.stdout + first.stderr);
    expect(first.stdout).toContain('no canary on a first deploy');
  });

  it('runs the canary beside the main pods, promotes it after the pause, and removes it', async () => {
    const run = await deploy(planAt(v2.sha), v2);
    expect(run.stderr).toBe('');
    expect(run.exit).toBe(0);
    expect(run.stdout).toContain(`Deployment ${namespace}/${service}-canary created`);
    expect(run.stdout).toContain('canary step 1/2 (50%): 1 canary pod(s) beside 2, about 33% of the traffic');
    expect(run.stdout).toContain(
      'canary step 1/2 (50%) promoted: the pause is over and the canary stayed ready',
    );
    expect(run.stdout).toContain(`Deployment ${namespace}/${service}-canary deleted`);
    expect(run.result).toMatchObject({ deployed: v2.reference, commit: v2.sha });
    await expect(
      apps.readNamespacedDeployment({ namespace, name: `${service}-canary` }),
    ).rejects.toMatchObject({ code: 404 });
    expect(await answers(namespace, service, 6)).toEqual(new Set(['c2']));
  });

  it('aborts on a manual decision: the canary goes, the main Deployment keeps its version', async () => {
    const v3 = await buildSampleApp(service, 'c3');
    const running = deploy(planAt(v3.sha), v3, { FERRY_CANARY_PROMOTE: 'manual' });
    // The orchestrator's (or an operator's) decision: an annotation on the canary Deployment.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const canary = await apps
        .readNamespacedDeployment({ namespace, name: `${service}-canary` })
        .catch(() => undefined);
      if ((canary?.status?.readyReplicas ?? 0) >= 1) break;
      if (Date.now() > deadline) throw new Error('the canary never became ready');
      await new Promise((r) => setTimeout(r, 200));
    }
    await apps.patchNamespacedDeployment(
      {
        namespace,
        name: `${service}-canary`,
        fieldManager: 'ferry-orchestrator',
        body: { metadata: { annotations: { 'ferry.dev/canary-decision': 'abort' } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const run = await running;
    expect(run.exit).toBe(1);
    expect(errorOf(run)).toMatchObject({ code: 'FERRY_ERR_RELEASE_CANARY_ABORTED' });
    expect(errorOf(run).message).toContain('ferry.dev/canary-decision: abort');
    expect(run.result).toMatchObject({ running: v2.reference, failed: v3.reference });
    await expect(
      apps.readNamespacedDeployment({ namespace, name: `${service}-canary` }),
    ).rejects.toMatchObject({ code: 404 });
    const d = await apps.readNamespacedDeployment({ namespace, name: service });
    expect(d.spec?.template.spec?.containers[0]?.image).toBe(v2.reference);
    expect(await answers(namespace, service, 6)).toEqual(new Set(['c2']));
  });

  it('a canary whose image cannot be pulled is aborted on the pull, not at its progress deadline', async () => {
    const missing = missingImage(service);
    const run = await deploy(withDeadline(planAt(missing.sha), LONG_DEADLINE_MS), missing);
    expect(run.exit).toBe(1);
    expect(errorOf(run)).toMatchObject({ code: 'FERRY_ERR_RELEASE_CANARY_ABORTED' });
    expect(errorOf(run).message).toMatch(
      /cannot become ready: container \S+ (ImagePullBackOff|ErrImagePull)/,
    );
    expect(errorOf(run).message).not.toContain('ProgressDeadlineExceeded');
    expect(run.result).toMatchObject({ running: v2.reference, failed: missing.reference });
    expect(run.stdout).toContain(`Failed to pull image "${missing.reference}"`);
    await expect(
      apps.readNamespacedDeployment({ namespace, name: `${service}-canary` }),
    ).rejects.toMatchObject({ code: 404 });
    const d = await apps.readNamespacedDeployment({ namespace, name: service });
    expect(d.spec?.template.spec?.containers[0]?.image).toBe(v2.reference);
  });
});

describe('ferry-runner deploy job checks', () => {
  it('fails clearly when the cluster does not answer', async () => {
    const image = { reference: `127.0.0.1:5000/x/y@sha256:${'a'.repeat(64)}`, sha: randomSha() };
    const plan = planFor('service: lost\ngroup: nowhere', { project: 'nowhere/lost', sha: image.sha });
    const run = await runSubcommand(deployCommand, {
      FERRY_PLAN: JSON.stringify(plan),
      FERRY_IMAGE: image.reference,
      FERRY_KUBECONFIG: double.kubeconfigYaml.replace(/https:\/\/127\.0\.0\.1:\d+/, 'https://127.0.0.1:1'),
      FERRY_DEPLOY_META: JSON.stringify({ pipelineId: 'p-lost' }),
    });
    expect(run.exit).toBe(1);
    expect(errorOf(run)).toMatchObject({ code: 'FERRY_ERR_RELEASE_CLUSTER_UNREACHABLE' });
    expect(errorOf(run).message).toContain('https://127.0.0.1:1');
  });

  it('refuses a job without its variables (exit 2)', async () => {
    const run = await runSubcommand(deployCommand, {
      FERRY_PLAN: JSON.stringify(planFor('', { project: 'a/b', sha: randomSha() })),
    });
    expect(run.exit).toBe(2);
    expect(errorOf(run)).toMatchObject({ code: 'FERRY_ERR_RELEASE_INVALID_JOB' });
  });
});
