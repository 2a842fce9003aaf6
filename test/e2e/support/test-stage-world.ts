/**
 * The world of the test-stage e2e, for one executor: the GitLab double (projects, commits, their
 * `.ferry.yml`, commit statuses), the git server holding the cart service, the WeCom double (the
 * team's group bot), for kubernetes the Kubernetes test double (runner pods as real containers,
 * the cache in a PersistentVolumeClaim) with Ferry's least-privilege executor identity, and Ferry
 * itself on the real Redis and Docker engine. Only the test stage runs (build and deploy are off in
 * the template), so the world is light; the two lanes are two projects merging at the same time.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GitServer, startGitServer, type TestRepo } from '@ferry/doubles/git';
import { type GitLabDouble, hostProject, startGitLabDouble } from '@ferry/doubles/gitlab';
import { startWeComDouble, type WeComDouble } from '@ferry/doubles/wecom';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type Docker from 'dockerode';
import { ensureRunnerImage } from '../../executors/runner-build.js';
import { type K8sDouble, startK8sDouble } from '../../k8s-double/index.js';
import { createPolicedNamespace, restrictedLabels } from '../../support/cluster-policy.js';
import { startTestFerry, type TestFerry } from '../../support/ferry.js';
import { executorIdentity } from '../../support/least-privilege.js';
import { connectTestDocker, connectTestRedis, testImages } from '../../support/services.js';
import { cartService } from './cart-service.js';

export type ExecutorKind = 'docker' | 'kubernetes';

/** Only the test stage: build and deploy are off, as for a library that is only tested. */
const TEMPLATE = `version: 1
stages:
  test:
    image: ${testImages.node}
    script: [node --version]
    timeout: 5m
    resources: { cpu: "1", memory: 512Mi }
  build: { enabled: false }
  deploy: { enabled: false }
environments:
  test: { branch: test, namespace: "{group}-test" }
`;

/** One project of the world, hosted in the git server and known to the GitLab double. */
export interface Lane {
  repo: TestRepo;
  project: { id: number; path: string; group: string };
}

export interface TestStageWorld {
  kind: ExecutorKind;
  docker: Docker;
  gitlab: GitLabDouble;
  wecom: WeComDouble;
  git: GitServer;
  double?: K8sDouble;
  ferry: TestFerry;
  lanes: Lane[];
  /** The runner namespace (kubernetes) or the project label (docker) runners are found by. */
  runnerNamespace: string;
  close(): Promise<void>;
}

export const PUBLIC_URL = 'https://ferry.example.com';

/** The API token of the world's deployer (cancels pipelines). */
export const DEPLOYER_TOKEN = 'e2e-deployer-token-0123456789abcdef';

export async function startTestStageWorld(kind: ExecutorKind, laneCount: number): Promise<TestStageWorld> {
  const cleanups: Array<() => Promise<unknown>> = [];
  const closeAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    // Fails (never skips) when a real service is missing.
    const docker = await connectTestDocker();
    (await connectTestRedis()).disconnect();
    for (const image of [testImages.node, testImages.redis])
      await docker
        .getImage(image)
        .inspect()
        .catch(() => {
          throw new Error(`image ${image} is missing: run bash scripts/lib/test-images.sh (npm test does)`);
        });
    const runnerImage = await ensureRunnerImage();
    const suffix = randomBytes(3).toString('hex');

    const gitlab = await startGitLabDouble();
    cleanups.push(() => gitlab.close());
    const git = await startGitServer({ token: gitlab.token });
    cleanups.push(() => git.close());
    const wecom = await startWeComDouble();
    cleanups.push(() => wecom.close());

    const lanes: Lane[] = [];
    for (let i = 0; i < laneCount; i++) {
      const group = `ts-${kind.slice(0, 4)}-${suffix}-${i}`;
      const project = { id: 800_000 + Number.parseInt(suffix, 16) * 4 + i, path: `${group}/cart`, group };
      lanes.push({ project, repo: await hostProject({ git, gitlab, project, files: cartService() }) });
    }

    const templateDir = await mkdtemp(join(tmpdir(), 'ferry-e2e-tstage-'));
    cleanups.push(() => rm(templateDir, { recursive: true, force: true }));
    await writeFile(join(templateDir, 'default.yml'), TEMPLATE);

    const runnerNamespace = `ferry-tstage-${suffix}`;
    let executor: Record<string, unknown> = { kind: 'docker', docker: { runnerImage } };
    let double: K8sDouble | undefined;
    if (kind === 'kubernetes') {
      double = await startK8sDouble();
      const started = double;
      cleanups.push(() => started.close());
      const kc = new KubeConfig();
      kc.loadFromFile(double.kubeconfigPath);
      const core = kc.makeApiClient(CoreV1Api);
      // As on operators' clusters: restricted Pod Security and quotas in the runner namespace, where
      // the operator also made the cache's claim (executor.kubernetes.cache).
      await createPolicedNamespace(core, runnerNamespace, restrictedLabels);
      await core.createNamespacedPersistentVolumeClaim({
        namespace: runnerNamespace,
        body: {
          metadata: { name: 'ferry-cache' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
        },
      });
      const identities = await mkdtemp(join(tmpdir(), 'ferry-e2e-tstage-id-'));
      cleanups.push(() => rm(identities, { recursive: true, force: true }));
      const identity = await executorIdentity(double.kubeconfigYaml, [runnerNamespace], identities);
      executor = {
        kind: 'kubernetes',
        kubernetes: {
          kubeconfig: identity.kubeconfigPath,
          namespace: runnerNamespace,
          runnerImage,
          pendingTimeout: '2m',
          cache: { claimName: 'ferry-cache' },
        },
      };
    }

    const ferry = await startTestFerry({
      config: {
        executor,
        pipelines: { templateDir },
        server: { publicUrl: PUBLIC_URL },
        gitlab: { url: gitlab.url, token: { env: 'E2E_GITLAB_TOKEN' }, cloneHosts: [git.url] },
        wecom: { baseUrl: wecom.url, bots: [{ name: 'team', key: { env: 'E2E_WECOM_KEY' } }] },
        reporting: { retryInitial: '100ms', retryMax: '1s' },
        auth: { tokens: [{ name: 'e2e-deployer', token: { env: 'E2E_DEPLOYER_TOKEN' }, role: 'deployer' }] },
      },
      env: { E2E_GITLAB_TOKEN: gitlab.token, E2E_WECOM_KEY: wecom.key, E2E_DEPLOYER_TOKEN: DEPLOYER_TOKEN },
    });
    cleanups.push(() => ferry.close());
    if (kind === 'docker') {
      cleanups.push(() => removeCacheVolumes(docker, lanes));
    }
    return {
      kind,
      docker,
      gitlab,
      wecom,
      git,
      ...(double === undefined ? {} : { double }),
      ferry,
      lanes,
      runnerNamespace,
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/** The per-project cache volumes of this world's projects (they outlive runners by design). */
async function removeCacheVolumes(docker: Docker, lanes: Lane[]): Promise<void> {
  const { Volumes } = await docker.listVolumes({ filters: { label: ['ferry.role=cache'] } });
  const paths = new Set(lanes.map((l) => l.project.path));
  for (const v of Volumes ?? []) {
    if (paths.has(v.Labels?.['ferry.project'] ?? '')) await docker.getVolume(v.Name).remove();
  }
}
