/**
 * `npm run test:install`: Ferry installed the way docs/install.md tells an operator, into the
 * Kubernetes double (pods as real containers): the release images built by scripts/build-images.sh
 * and pushed to the loopback registry, the `single` overlay applied with `kubectl apply -k`
 * (validation on) and awaited with `kubectl rollout status`, then GitLab's webhooks sent to the Ferry
 * Service, which Ferry, in its pod, accepts once and stores in the bundled Redis (reached by its
 * Service name), and whose pipeline ends with no runner pod left.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { buildPushHook, type GitLabDouble, sendWebhook, startGitLabDouble } from '@ferry/doubles/gitlab';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeconfigWithToken } from '../../k8s-double/auth/service-account-kubeconfig.js';
import { type K8sDouble, startK8sDouble } from '../../k8s-double/index.js';
import { kubectl, requireKubectl } from '../../k8s-double/kubectl.js';
import { connectTestDocker, type TestRegistry, testImages, testRegistry } from '../../support/services.js';
import { buildAndPushImages, type InstallImages } from '../support/images.js';
import { writeOverlay } from '../support/overlay.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const terminal = new Set(['success', 'failed', 'canceled', 'skipped']);

describe('install: the single overlay in the Kubernetes double', () => {
  let docker: Docker;
  let double: K8sDouble;
  let gitlab: GitLabDouble;
  let images: InstallImages;
  let registry: TestRegistry;
  let core: CoreV1Api;
  let overlayDir = '';
  const webhookSecret = randomBytes(16).toString('hex');
  const tag = `install-${randomBytes(3).toString('hex')}`;
  const k = (args: string[], input?: string, timeoutMs = 120_000) =>
    kubectl(double.kubeconfigPath, args, { timeoutMs, ...(input !== undefined ? { input } : {}) });

  beforeAll(async () => {
    requireKubectl();
    docker = await connectTestDocker();
    registry = testRegistry();
    const started = Date.now();
    images = await buildAndPushImages(docker, root, registry, tag, testImages.redis);
    console.log(
      `install: images built and pushed in ${((Date.now() - started) / 1000).toFixed(0)} s\n${images.sizes}`,
    );
    double = await startK8sDouble();
    gitlab = await startGitLabDouble();
    const kc = new KubeConfig();
    kc.loadFromFile(double.kubeconfigPath);
    core = kc.makeApiClient(CoreV1Api);
  });

  afterAll(async () => {
    await double?.close();
    await gitlab?.close();
    if (overlayDir) await rm(overlayDir, { recursive: true, force: true });
    for (const image of images ? [images.server, images.runner, images.redis] : [])
      await docker
        .getImage(image)
        .remove()
        .catch(() => undefined);
  });

  /** The Secrets docs/install.md has the operator create (values never in the repository). */
  async function createSecrets(): Promise<void> {
    const redisPassword = randomBytes(12).toString('hex');
    const auth = Buffer.from(`${registry.username}:${registry.password}`).toString('base64');
    const dockerconfig = JSON.stringify({ auths: { [registry.address]: { auth } } });
    for (const namespace of ['ferry', 'ferry-runners'])
      await core.createNamespacedSecret({
        namespace,
        body: {
          metadata: { name: 'registry-pull' },
          type: 'kubernetes.io/dockerconfigjson',
          stringData: { '.dockerconfigjson': dockerconfig },
        },
      });
    await core.createNamespacedSecret({
      namespace: 'ferry',
      body: {
        metadata: { name: 'ferry' },
        stringData: {
          'gitlab-token': gitlab.token,
          'webhook-secret': webhookSecret,
          'registry-password': registry.password,
        },
      },
    });
    await core.createNamespacedSecret({
      namespace: 'ferry',
      body: {
        metadata: { name: 'ferry-redis' },
        stringData: { password: redisPassword, url: `redis://:${redisPassword}@ferry-redis:6379` },
      },
    });
  }

  /** The deployer's kubeconfig: a token of the ferry-deployer service account the overlay created. */
  async function createDeployerKubeconfig(): Promise<void> {
    const token = await k(['-n', 'ferry', 'create', 'token', 'ferry-deployer', '--duration=1h']);
    expect(token, token.stderr).toMatchObject({ code: 0 });
    await core.createNamespacedSecret({
      namespace: 'ferry',
      body: {
        metadata: { name: 'ferry-deployer-kubeconfig' },
        stringData: { kubeconfig: kubeconfigWithToken(double.kubeconfigYaml, token.stdout.trim(), 'ferry') },
      },
    });
  }

  it('kubectl apply -k (validation on) and kubectl rollout status bring Ferry and its Redis up', async () => {
    overlayDir = await writeOverlay({
      root,
      overlay: 'single',
      images,
      gitlabUrl: gitlab.url,
      registry,
      pullSecret: 'registry-pull',
    });
    for (const ns of ['ferry', 'ferry-runners'])
      await core.createNamespace({ body: { metadata: { name: ns } } });
    await createSecrets();
    const started = Date.now();
    const applied = await k(['apply', '-k', overlayDir, '--validate=strict']);
    expect(applied, applied.stderr).toMatchObject({ code: 0 });
    expect(applied.stdout).toContain('deployment.apps/ferry created');
    expect(applied.stdout).toContain('statefulset.apps/ferry-redis created');
    await createDeployerKubeconfig();
    for (const workload of ['statefulset/ferry-redis', 'deployment/ferry']) {
      const rollout = await k(
        ['-n', 'ferry', 'rollout', 'status', workload, '--timeout=300s'],
        undefined,
        320_000,
      );
      if (rollout.code !== 0) {
        const pods = await k(['-n', 'ferry', 'get', 'pods,events', '-o', 'wide']);
        throw new Error(`${workload} did not roll out: ${rollout.stderr}\n${pods.stdout}`);
      }
    }
    const seconds = (Date.now() - started) / 1000;
    console.log(`install: kubectl apply -k overlays/single → ready in ${seconds.toFixed(1)} s`);
    // Ferry's pod runs the pushed image, as its service account, pulled with the pull secret.
    const pods = await core.listNamespacedPod({
      namespace: 'ferry',
      labelSelector: 'app.kubernetes.io/name=ferry',
    });
    expect(pods.items.map((p) => p.spec?.containers[0]?.image)).toEqual([images.server]);
    expect(pods.items[0]?.spec?.serviceAccountName).toBe('ferry');
    expect(pods.items[0]?.status?.containerStatuses?.[0]?.imageID).toMatch(
      new RegExp(`^docker-pullable://${registry.address}/ferry-install/server@sha256:`),
    );
  });

  it('a push hook sent to the Ferry Service (its ClusterIP) is accepted once, stored in the bundled Redis, and ends; no runner pod is left', async () => {
    const svc = await core.readNamespacedService({ namespace: 'ferry', name: 'ferry' });
    const url = `http://${svc.spec?.clusterIP}:80`;
    expect((await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(10_000) })).status).toBe(200);
    const project = { id: 4242, pathWithNamespace: 'team/sample-service', instanceUrl: gitlab.url };
    const hook = buildPushHook({ branch: 'test', project });
    const answer = await sendWebhook(`${url}/webhooks/gitlab`, 'Push Hook', hook, { token: webhookSecret });
    expect(answer.status, JSON.stringify(answer.json)).toBe(201);
    const pipelineId = (answer.json as { pipelineId: string }).pipelineId;
    const again = await sendWebhook(`${url}/webhooks/gitlab`, 'Push Hook', hook, { token: webhookSecret });
    expect(again.json).toMatchObject({ result: 'duplicate', pipelineId });
    // The worker in Ferry's pod takes it and it ends (the GitLab double knows no such project or
    // repository, so it cannot succeed: a full release run in the install is not covered yet).
    let status = '';
    const deadline = Date.now() + 240_000;
    while (!terminal.has(status) && Date.now() < deadline) {
      const res = await fetch(`${url}/api/v1/pipelines/${pipelineId}`, {
        signal: AbortSignal.timeout(10_000),
      });
      if (res.status === 200) status = ((await res.json()) as { status: string }).status;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(terminal.has(status), `pipeline ${pipelineId} still ${status}`).toBe(true);
    const runners = await core.listNamespacedPod({ namespace: 'ferry-runners' });
    expect(runners.items.map((p) => p.metadata?.name)).toEqual([]);
    console.log(`install: pipeline ${pipelineId} ended ${status}`);
  });
});
