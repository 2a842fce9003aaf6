import { describe, expect, it } from 'vitest';
import type { StageJob } from '../executor.js';
import { defaultBuildSeccompProfile } from './build-sandbox.js';
import { buildRunnerPod, type RunnerPodContext } from './pod-spec.js';
import { buildRunnerSecret, REGISTRY_AUTH_KEY } from './secret.js';

const job: StageJob = {
  pipelineId: 'mb3k9x2a1b2c3d4e',
  stage: 'build',
  attempt: 1,
  project: { id: 1, path: 'g/s', cloneUrl: 'http://git/g/s.git' },
  ref: 'test',
  sha: 'a'.repeat(40),
  image: 'registry.example/ferry/runner:1',
  script: [],
  env: { FERRY_BUILDER: 'buildah', REGISTRY_AUTH_FILE: '/run/ferry/registry/auth.json' },
  secretEnv: { FERRY_CLONE_TOKEN: 'glpat-xyz' },
  timeoutMs: 600_000,
  buildah: { authJson: '{"auths":{"r:5000":{"auth":"c2VjcmV0"}}}' },
};
const ctx: RunnerPodContext = {
  name: 'ferry-mb3k9x2a1b2c-build-abcde',
  namespace: 'ferry-runners',
  labels: {},
  annotations: {},
  runnerImage: 'registry.example/ferry/runner:1',
  secretName: 'ferry-mb3k9x2a1b2c-build-abcde',
  nodeSelector: {},
  tolerations: [],
  imagePullSecrets: [],
  terminationGraceSeconds: 5,
  buildSandbox: { level: 'baseline', seccompProfile: 'profiles/ferry-build.json' },
  runAsUser: 10001,
  cloneResources: { cpu: '500m', memory: '512Mi' },
  stepResources: { cpu: '500m', memory: '512Mi' },
};

describe('the restricted build pod (buildah rootless, the default)', () => {
  const restricted: RunnerPodContext = {
    ...ctx,
    buildSandbox: { level: 'restricted', seccompProfile: defaultBuildSeccompProfile('restricted') },
  };
  const pod = buildRunnerPod(job, restricted);
  const step = pod.spec?.containers[0];

  it('runs as the pod’s non-root user with no capability, no escalation, a read-only root, the rootless profile', () => {
    expect(step?.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
      seccompProfile: { type: 'Localhost', localhostProfile: 'ferry-build-rootless.json' },
    });
    // The pod's own context is a test pod's: non-root 10001 (pod-spec.test.ts), RuntimeDefault.
    const { buildah: _none, ...plain } = job;
    const testPod = buildRunnerPod({ ...plain, stage: 'test', script: ['npm test'] }, restricted);
    expect(pod.spec?.securityContext).toEqual(testPod.spec?.securityContext);
    expect(pod.spec?.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
    expect(JSON.stringify(pod)).not.toMatch(/"add"|"privileged":true|hostPath|"runAsUser":0/);
  });

  it('gives buildah storage and containers/image’s /var/tmp a volume each, the auth file readable by the fsGroup', () => {
    expect(step?.volumeMounts).toEqual([
      { name: 'workspace', mountPath: '/workspace' },
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'home', mountPath: '/home/ferry' },
      { name: 'build-storage', mountPath: '/var/lib/containers' },
      { name: 'build-tmp', mountPath: '/var/tmp' },
      { name: 'registry-auth', mountPath: '/run/ferry/registry', readOnly: true },
    ]);
    expect(pod.spec?.volumes).toContainEqual({
      name: 'registry-auth',
      secret: {
        secretName: ctx.secretName,
        items: [{ key: REGISTRY_AUTH_KEY, path: 'auth.json' }],
        defaultMode: 0o440,
      },
    });
  });

  it('the baseline sandbox keeps its own profile by default', () => {
    expect(defaultBuildSeccompProfile('baseline')).toBe('ferry-build.json');
  });
});

describe('the baseline build pod (buildah as root)', () => {
  const pod = buildRunnerPod(job, ctx);
  const step = pod.spec?.containers[0];

  it('runs the step with only SETUID/SETGID/SETFCAP, no escalation, the Localhost seccomp profile', () => {
    expect(step?.securityContext).toEqual({
      runAsUser: 0,
      privileged: false,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'], add: ['SETUID', 'SETGID', 'SETFCAP'] },
      seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/ferry-build.json' },
    });
    // The clone container gets none of it: it keeps the restricted context of every runner container.
    expect(pod.spec?.initContainers?.[0]?.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
    });
    // The pod sets no user (the step is root in its sandbox), only the default seccomp profile.
    expect(pod.spec?.securityContext).toEqual({ seccompProfile: { type: 'RuntimeDefault' } });
  });

  it('mounts buildah storage on an emptyDir and the auth file read-only from the runner Secret', () => {
    expect(step?.volumeMounts).toEqual([
      { name: 'workspace', mountPath: '/workspace' },
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'home', mountPath: '/home/ferry' },
      { name: 'build-storage', mountPath: '/var/lib/containers' },
      { name: 'registry-auth', mountPath: '/run/ferry/registry', readOnly: true },
    ]);
    expect(pod.spec?.volumes).toEqual([
      { name: 'workspace', emptyDir: {} },
      { name: 'tmp', emptyDir: {} },
      { name: 'home', emptyDir: {} },
      { name: 'build-storage', emptyDir: {} },
      {
        name: 'registry-auth',
        secret: {
          secretName: ctx.secretName,
          items: [{ key: REGISTRY_AUTH_KEY, path: 'auth.json' }],
          defaultMode: 0o400,
        },
      },
    ]);
  });

  it('holds the credential in the Secret only: no env var, no argument, no docker socket, nothing privileged', () => {
    const text = JSON.stringify(pod);
    expect(text).not.toContain('c2VjcmV0');
    expect(text).not.toContain('FERRY_REGISTRY_PASSWORD');
    expect(text).not.toContain('docker.sock');
    expect(text).not.toContain('"privileged":true');
    const secret = buildRunnerSecret({
      ...ctx,
      secretEnv: job.secretEnv,
      files: { [REGISTRY_AUTH_KEY]: job.buildah?.authJson ?? '' },
    });
    expect(Buffer.from(secret.data?.[REGISTRY_AUTH_KEY] ?? '', 'base64').toString()).toBe(
      job.buildah?.authJson,
    );
  });

  it('gives test and deploy steps no sandbox', () => {
    const { buildah: _none, ...plain } = job;
    const other = buildRunnerPod({ ...plain, stage: 'test', script: ['npm test'] }, ctx);
    expect(other.spec?.containers[0]?.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: false,
    });
    expect(other.spec?.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
    expect(other.spec?.volumes).toEqual([
      { name: 'workspace', emptyDir: {} },
      { name: 'tmp', emptyDir: {} },
      { name: 'home', emptyDir: {} },
    ]);
  });

  it('with a build cache: the project’s sub-path of the claim in the build step only, its place in the env', () => {
    const cached = buildRunnerPod(
      { ...job, project: { ...job.project, id: 42 } },
      { ...ctx, buildCache: { claimName: 'ferry-build-cache', slots: 3, maxBytes: 5_000_000_000 } },
    );
    const container = cached.spec?.containers[0];
    expect(container?.volumeMounts).toContainEqual({
      name: 'build-cache',
      mountPath: '/var/lib/ferry-build-cache',
      subPath: 'p42',
    });
    expect(cached.spec?.volumes).toContainEqual({
      name: 'build-cache',
      persistentVolumeClaim: { claimName: 'ferry-build-cache' },
    });
    expect(container?.env).toEqual(
      expect.arrayContaining([
        { name: 'FERRY_BUILD_CACHE_DIR', value: '/var/lib/ferry-build-cache' },
        { name: 'FERRY_BUILD_CACHE_SLOTS', value: '3' },
        { name: 'FERRY_BUILD_CACHE_MAX_BYTES', value: '5000000000' },
      ]),
    );
    // The step's own env is kept; the clone container never mounts the cache.
    expect(container?.env?.map((e) => e.name)).toContain('FERRY_BUILDER');
    expect(JSON.stringify(cached.spec?.initContainers)).not.toContain('build-cache');
    // Still the same sandbox: nothing privileged, no host path.
    expect(container?.securityContext).toEqual(step?.securityContext);
    expect(JSON.stringify(cached)).not.toContain('hostPath');
    // Test and deploy pods never get it.
    const { buildah: _none, ...plain } = job;
    const other = buildRunnerPod(
      { ...plain, stage: 'test', script: ['npm test'] },
      { ...ctx, buildCache: { claimName: 'ferry-build-cache', slots: 3, maxBytes: 1 } },
    );
    expect(JSON.stringify(other)).not.toContain('build-cache');
  });
});
