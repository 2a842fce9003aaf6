/**
 * Everything one executor's release-flow suite runs against, started once and shared by its
 * scenarios: the GitLab double (project, commits and the project's `.ferry.yml`, as GitLab would
 * serve them), the git server holding the sample service, the Kubernetes test double (the
 * environment's cluster, and for the kubernetes executor the runners' cluster too, whose build pods
 * build with buildah), and Ferry itself on the real Redis, Docker engine and registry.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type GitServer, startGitServer, type TestRepo } from '@ferry/doubles/git';
import { type GitLabDouble, hostProject, startGitLabDouble } from '@ferry/doubles/gitlab';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type Docker from 'dockerode';
import { ensureRunnerImage } from '../../executors/runner-build.js';
import { type K8sDouble, LABEL_NAMESPACE, startK8sDouble } from '../../k8s-double/index.js';
import { baseInRegistry, installBuildSeccompProfiles } from '../../release/buildah-sandbox.js';
import { createPolicedNamespace, restrictedLabels } from '../../support/cluster-policy.js';
import { startTestFerry, type TestFerry } from '../../support/ferry.js';
import { deployerIdentity, executorIdentity } from '../../support/least-privilege.js';
import { watchSeen } from '../../support/seen-while.js';
import { connectTestDocker, connectTestRedis, testImages, testRegistry } from '../../support/services.js';
import { RegistryApi } from './registry-api.js';
import { sampleRelease } from './sample-service.js';

const exec = promisify(execFile);

export type ExecutorKind = 'docker' | 'kubernetes';

/** The e2e template: the default template's shape, with test images and deadlines fit for a test machine. */
export const e2eTemplate = `version: 1
stages:
  test:
    image: ${testImages.node}
    script:
      - node test.js
    timeout: 5m
    resources: { cpu: "1", memory: 512Mi }
  build:
    dockerfile: Dockerfile
    context: .
    timeout: 10m
  deploy:
    port: 8080
    replicas: 1
    resources: { cpu: 100m, memory: 128Mi }
    probes:
      readiness: { http: /, period: 1s, failureThreshold: 2 }
    rollout:
      progressDeadline: 30s
environments:
  test:
    branch: test
    namespace: "{group}-test"
    priority: low
`;

/** The deployer token of the release world's Ferry (`auth.tokens`: release-manager). */
export const releaseManagerToken = 'e2e-release-manager-token-4c7d9a';

/** How build stages build (`build.builder`); unset: the executor's default (engine on docker). */
export type BuilderKind = 'engine' | 'buildah';

export interface ReleaseWorld {
  kind: ExecutorKind;
  /** buildah: the build stage runs buildah in the build sandbox (always so on kubernetes). */
  builder: BuilderKind;
  docker: Docker;
  gitlab: GitLabDouble;
  git: GitServer;
  double: K8sDouble;
  core: CoreV1Api;
  apps: AppsV1Api;
  registry: RegistryApi;
  repo: TestRepo;
  project: { id: number; path: string; group: string };
  /** The namespace runner pods run in (kubernetes executor). */
  runnerNamespace: string;
  /** The build daemon endpoint runner pods build through (kubernetes executor only). */
  ferry: TestFerry;
  /** Starts another Ferry on the same world with other registry credentials (closed by the caller). */
  startFerry(registryPassword?: string): Promise<TestFerry>;
  close(): Promise<void>;
}

/** Fails (never skips) with what to start when a real service is missing. */
async function requireServices(): Promise<Docker> {
  const docker = await connectTestDocker();
  const redis = await connectTestRedis();
  redis.disconnect();
  for (const image of [testImages.node]) {
    await docker
      .getImage(image)
      .inspect()
      .catch(() => {
        throw new Error(`image ${image} is missing: run bash scripts/lib/test-images.sh (npm test does)`);
      });
  }
  const { address } = testRegistry();
  const reachable = await fetch(`http://${address}/v2/`, { signal: AbortSignal.timeout(5_000) }).then(
    (r) => r.status === 200 || r.status === 401,
    () => false,
  );
  if (!reachable)
    throw new Error(`the test registry is not reachable at ${address}; run the suite with npm test`);
  return docker;
}

/** The claim in each build namespace that holds build pods' buildah storage. */
export const BUILD_CACHE_CLAIM = 'ferry-build-cache';

export async function startReleaseWorld(
  kind: ExecutorKind,
  options: {
    builder?: BuilderKind;
    /** kubernetes: build pods keep buildah storage in a claim (executor.kubernetes.buildCache); default true. */
    buildCache?: boolean;
    /**
     * kubernetes: the cpu of the runner containers (executor.kubernetes.cloneResources and
     * stepResources, requests = limits); unset: the executor's default (500m).
     */
    runnerCpu?: string;
  } = {},
): Promise<ReleaseWorld> {
  const builder = options.builder ?? (kind === 'kubernetes' ? 'buildah' : 'engine');
  const cleanups: Array<() => Promise<unknown>> = [];
  const closeAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const docker = await requireServices();
    const runnerImage = await ensureRunnerImage();
    const suffix = randomBytes(3).toString('hex');
    // Group, project and namespace names of this suite alone: files run in parallel.
    const group = `e2e-${kind}-${suffix}`;
    const project = { id: 700_000 + Number.parseInt(suffix, 16), path: `${group}/sample-service`, group };

    const gitlab = await startGitLabDouble();
    cleanups.push(() => gitlab.close());
    // The clone token is Ferry's GitLab token, as for a GitLab-hosted repository.
    const git = await startGitServer({ token: gitlab.token });
    cleanups.push(() => git.close());
    const double = await startK8sDouble();
    cleanups.push(() => double.close());
    // After the double (its pods use them): the images this suite built or pulled into the engine.
    cleanups.splice(cleanups.length - 1, 0, () =>
      removeImages(docker, `${testRegistry().address}/${group}/`),
    );
    // Kubernetes builds with buildah in the build pod (no daemon): the nodes hold the build seccomp
    // profile, and the base comes from the registry (buildah pulls, never reads the engine).
    // The docker executor with buildah reads the profile Ferry ships (executor.docker.buildSeccompProfile's
    // default) and pulls its base from the registry too.
    let baseImage: string = testImages.node;
    if (kind === 'kubernetes') await installBuildSeccompProfiles(double.seccompRoot);
    if (builder === 'buildah') baseImage = await baseInRegistry(docker, testImages.node);
    const kc = new KubeConfig();
    kc.loadFromFile(double.kubeconfigPath);
    // As on operators' clusters: restricted Pod Security and compute quotas on the environment's
    // namespace and (kubernetes executor) the runners' namespaces; Ferry labels what it creates.
    const policyCore = kc.makeApiClient(CoreV1Api);
    await createPolicedNamespace(policyCore, `${group}-test`);

    const repo = await hostProject({ git, gitlab, project, files: sampleRelease('0.1.0') });

    const templateDir = await mkdtemp(join(tmpdir(), 'ferry-e2e-template-'));
    cleanups.push(() => rm(templateDir, { recursive: true, force: true }));
    await writeFile(
      join(templateDir, 'default.yml'),
      e2eTemplate.replace('    context: .\n', `    context: .\n    args: { BASE: "${baseImage}" }\n`),
    );

    const runnerNamespace = `ferry-runners-${suffix}`;
    if (kind === 'kubernetes') {
      // Every runner pod meets restricted, in runner namespaces that enforce it: test and deploy
      // pods, and build pods in the default restricted build sandbox (rootless buildah,
      // docs/release.md), in the runner namespace itself (no executor.kubernetes.buildNamespace).
      for (const ns of [runnerNamespace, `${runnerNamespace}-b`]) {
        await createPolicedNamespace(policyCore, ns, restrictedLabels);
        // The operator's claim for buildah storage that outlives build pods (executor.kubernetes.buildCache).
        await policyCore.createNamespacedPersistentVolumeClaim({
          namespace: ns,
          body: {
            metadata: { name: BUILD_CACHE_CLAIM },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } },
          },
        });
      }
    }
    // Ferry runs with the RBAC it ships, not as the admin: its executor with a token bound to
    // deploy/rbac/runner-executor.yaml, change pod with one bound to deploy/rbac/deployer*.yaml in
    // the application namespace (created by the operator, as that RBAC requires).
    const identities = await mkdtemp(join(tmpdir(), 'ferry-e2e-identities-'));
    cleanups.push(() => rm(identities, { recursive: true, force: true }));
    const executorKubeconfig = (
      await executorIdentity(double.kubeconfigYaml, runnerNamespacesOf(runnerNamespace), identities)
    ).kubeconfigPath;
    const deployKubeconfig = (await deployerIdentity(double.kubeconfigYaml, [`${group}-test`], identities))
      .kubeconfigPath;
    const registry = testRegistry();
    const start = (registryPassword = registry.password, namespace = runnerNamespace) =>
      startTestFerry({
        config: {
          executor:
            kind === 'docker'
              ? { kind: 'docker', docker: { runnerImage } }
              : {
                  kind: 'kubernetes',
                  kubernetes: {
                    kubeconfig: executorKubeconfig,
                    namespace,
                    runnerImage,
                    pendingTimeout: '2m',
                    ...(options.buildCache === false ? {} : { buildCache: { claimName: BUILD_CACHE_CLAIM } }),
                    ...(options.runnerCpu === undefined
                      ? {}
                      : {
                          cloneResources: { cpu: options.runnerCpu, memory: '512Mi' },
                          stepResources: { cpu: options.runnerCpu, memory: '512Mi' },
                        }),
                  },
                },
          pipelines: { templateDir },
          registry: {
            endpoint: registry.address,
            username: registry.username,
            password: { env: 'E2E_REGISTRY_PASSWORD' },
          },
          build: {
            allowedBaseImages: ['ferry-test/*', `${registry.address}/ferry-test/*`],
            ...(kind === 'docker' && builder === 'buildah' ? { builder } : {}),
          },
          deploy: { kubeconfig: deployKubeconfig },
          namespaceLabels: { ...restrictedLabels },
          // The sample repository is served by the git server beside the GitLab double (another port).
          gitlab: { url: gitlab.url, token: { env: 'E2E_GITLAB_TOKEN' }, cloneHosts: [git.url] },
          // Reporting on: the release shows as a GitLab deployment of the sample service in `test`
          // (the GitLab double's Deployments API); commit statuses go to the double too.
          reporting: { retryInitial: '100ms', retryMax: '1s' },
          // A release manager's token for the actions (canary promote and abort).
          auth: {
            tokens: [{ name: 'release-manager', token: { env: 'E2E_DEPLOYER_TOKEN' }, role: 'deployer' }],
          },
        },
        env: {
          E2E_REGISTRY_PASSWORD: registryPassword,
          E2E_GITLAB_TOKEN: gitlab.token,
          E2E_DEPLOYER_TOKEN: releaseManagerToken,
        },
      });
    const ferry = await start();
    cleanups.push(() => ferry.close());

    return {
      kind,
      builder,
      docker,
      gitlab,
      git,
      double,
      core: kc.makeApiClient(CoreV1Api),
      apps: kc.makeApiClient(AppsV1Api),
      registry: new RegistryApi(registry),
      repo,
      project,
      runnerNamespace,
      ferry,
      // Its own runner namespace: each Ferry's reaper lists only its own.
      startFerry: (password) => start(password, `${runnerNamespace}-b`),
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/**
 * Removes the engine's images under a repository prefix (the environment tag the runner keeps as
 * build cache, and what the double pulled); the registry keeps what was pushed.
 */
async function removeImages(docker: Docker, prefix: string): Promise<void> {
  for (const image of await docker.listImages()) {
    const names = [...(image.RepoTags ?? []), ...(image.RepoDigests ?? [])].filter((n) =>
      n.startsWith(prefix),
    );
    for (const name of names)
      await docker
        .getImage(name)
        .remove()
        .catch(() => undefined);
  }
}

/** A file of the repository at a commit, as GitLab's raw-file API would serve it (undefined: none). */
export async function fileAt(repo: TestRepo, sha: string, path: string): Promise<string | undefined> {
  try {
    return (await exec('git', ['show', `${sha}:${path}`], { cwd: repo.workDir })).stdout;
  } catch {
    return undefined;
  }
}

/**
 * Records the runners of this world seen while something runs (polling the engine and the API),
 * so a test knows its stages really ran in runners it then finds gone.
 */
export function watchRunners(world: ReleaseWorld): { stop(): Promise<Set<string>> } {
  return watchSeen(() => runnerLeftovers(world));
}

/** The runner namespaces of both Ferries of a world (build pods included). */
function runnerNamespacesOf(runnerNamespace: string): string[] {
  return [runnerNamespace, `${runnerNamespace}-b`];
}

/** The runner containers and pods of this world that still exist (empty once every stage ended). */
export async function runnerLeftovers(world: ReleaseWorld): Promise<string[]> {
  const left: string[] = [];
  if (world.kind === 'docker') {
    const filters = { label: ['ferry.managed=1', `ferry.project=${world.project.path}`] };
    for (const c of await world.docker.listContainers({ all: true, filters }))
      left.push(`container ${c.Names.join(',')}`);
    const { Volumes } = await world.docker.listVolumes({ filters });
    for (const v of Volumes ?? []) left.push(`volume ${v.Name}`);
  } else {
    for (const namespace of runnerNamespacesOf(world.runnerNamespace)) {
      const pods = await world.core.listNamespacedPod({ namespace });
      for (const p of pods.items) left.push(`pod ${namespace}/${p.metadata?.name}`);
      const secrets = await world.core.listNamespacedSecret({
        namespace,
        labelSelector: 'app.kubernetes.io/managed-by=ferry',
      });
      for (const s of secrets.items) left.push(`secret ${namespace}/${s.metadata?.name}`);
      // The pods are gone from the API; a force-deleted pod's containers stop after that, as on a
      // real node, so the containers are checked once the double's node has finished stopping them.
      await world.double.nodeSettled();
      const containers = await world.docker.listContainers({
        all: true,
        filters: { label: [`${LABEL_NAMESPACE}=${namespace}`] },
      });
      for (const c of containers) left.push(`container ${c.Names.join(',')}`);
    }
  }
  return left;
}
