/**
 * The sample service an installed Ferry ships (test/e2e's sample: a Node.js HTTP server, its tests,
 * a Dockerfile), hosted the way an operator's GitLab hosts it: its repository on the git server,
 * the project known to the GitLab double, a `.ferry.yml` fitting this machine (the local test
 * image, the base image from the registry), and the operator's part of docs/install.md step 3:
 * the application namespace with the deployer's RoleBinding, and the build seccomp profile on the
 * node (docs/release.md, "The build pod").
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GitServer, TestRepo } from '@ferry/doubles/git';
import { type GitLabDouble, hostProject } from '@ferry/doubles/gitlab';
import type Docker from 'dockerode';
import { expect } from 'vitest';
import { sampleRelease } from '../../e2e/support/sample-service.js';
import type { K8sDouble } from '../../k8s-double/index.js';
import type { KubectlResult } from '../../k8s-double/kubectl.js';
import { baseInRegistry, installBuildSeccompProfiles } from '../../release/buildah-sandbox.js';
import { testImages } from '../../support/services.js';

export interface SampleProject {
  repo: TestRepo;
  project: { id: number; path: string; group: string };
  /** The environment `test`'s namespace, where the service is deployed. */
  namespace: string;
  /** The base image the Dockerfile builds from, in the registry (buildah pulls it there). */
  baseImage: string;
}

/** The project's `.ferry.yml`: merged over the image's default template (docs/spec.md). */
export function sampleFerryYml(baseImage: string): string {
  return `stages:
  test:
    image: ${testImages.node}
    script: [node test.js]
    timeout: 5m
    resources: { cpu: "1", memory: 512Mi }
  build:
    args: { BASE: "${baseImage}" }
    timeout: 10m
  deploy:
    replicas: 1
    resources: { cpu: 100m, memory: 128Mi }
    probes:
      readiness: { http: /, period: 1s, failureThreshold: 2 }
    rollout:
      progressDeadline: 60s
`;
}

type Kubectl = (args: string[], input?: string) => Promise<KubectlResult>;

export async function hostSampleProject(input: {
  root: string;
  docker: Docker;
  double: K8sDouble;
  gitlab: GitLabDouble;
  git: GitServer;
  kubectl: Kubectl;
}): Promise<SampleProject> {
  const suffix = randomBytes(3).toString('hex');
  const group = `install-${suffix}`;
  const project = { id: 800_000 + Number.parseInt(suffix, 16), path: `${group}/sample-service`, group };
  const baseImage = await baseInRegistry(input.docker, testImages.node);
  const repo = await hostProject({
    git: input.git,
    gitlab: input.gitlab,
    project,
    files: { ...sampleRelease('0.1.0'), '.ferry.yml': sampleFerryYml(baseImage) },
  });
  // docs/install.md, "Application namespaces": the operator creates it and binds the deployer there.
  const namespace = `${group}-test`;
  const created = await input.kubectl(['create', 'namespace', namespace]);
  expect(created, created.stderr).toMatchObject({ code: 0 });
  const binding = (
    await readFile(join(input.root, 'deploy/rbac/deployer-namespace.yaml'), 'utf8')
  ).replaceAll('APP_NAMESPACE', namespace);
  const bound = await input.kubectl(['apply', '-f', '-'], binding);
  expect(bound, bound.stderr).toMatchObject({ code: 0 });
  // The node's seccomp root holds the build pods' profile (docs/release.md).
  await installBuildSeccompProfiles(input.double.seccompRoot);
  return { repo, project, namespace, baseImage };
}
