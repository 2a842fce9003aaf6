import type { V1Container, V1EnvVar, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { StageJob } from '../executor.js';
import {
  activeDeadlineSeconds,
  buildRunnerPod,
  CLONE_CONTAINER,
  kubeLiteral,
  type RunnerPodContext,
  STEP_CONTAINER,
  WORKSPACE_DIR,
} from './pod-spec.js';

const job: StageJob = {
  pipelineId: 'mb3k9x2a1b2c3d4e5f',
  stage: 'test',
  attempt: 1,
  project: { id: 7, path: 'group/app', cloneUrl: 'http://git.example/group/app.git' },
  ref: 'main',
  sha: 'a'.repeat(40),
  image: 'node:20',
  script: ['npm ci', 'npm test'],
  env: { GREETING: 'hello $(USER) $$ $HOME' },
  secretEnv: { FERRY_CLONE_TOKEN: 'glpat-xyz', NPM_TOKEN: 'npm-secret' },
  timeoutMs: 600_000,
};

const ctx: RunnerPodContext = {
  name: 'ferry-mb3k9x2a1b2c-test-abcde',
  namespace: 'ferry-runners',
  labels: { 'app.kubernetes.io/managed-by': 'ferry' },
  annotations: { 'ferry.dev/pipeline': job.pipelineId },
  runnerImage: 'registry.example/ferry/runner:1',
  secretName: 'ferry-mb3k9x2a1b2c-test-abcde',
  nodeSelector: {},
  tolerations: [],
  imagePullSecrets: [],
  terminationGraceSeconds: 5,
  buildSandbox: { level: 'restricted', seccompProfile: 'ferry-build-rootless.json' },
  runAsUser: 10001,
  cloneResources: { cpu: '500m', memory: '512Mi' },
  stepResources: { cpu: '1', memory: '1Gi' },
};

const scratch = [
  { name: 'workspace', mountPath: WORKSPACE_DIR },
  { name: 'tmp', mountPath: '/tmp' },
  { name: 'home', mountPath: '/home/ferry' },
];

const container = (pod: V1Pod, name: string): V1Container | undefined =>
  [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find((c) => c.name === name);
const envOf = (c: V1Container | undefined) => new Map((c?.env ?? []).map((e: V1EnvVar) => [e.name, e]));

describe('activeDeadlineSeconds', () => {
  it.each([
    [1, 1],
    [999, 1],
    [1000, 1],
    [1001, 2],
    [1500, 2],
    [600_000, 600],
    [0, 1],
  ])('%i ms → %i s', (ms, s) => {
    expect(activeDeadlineSeconds(ms)).toBe(s);
  });
});

describe('kubeLiteral', () => {
  it.each([
    ['plain', 'plain'],
    ['$(NAME)', '$$(NAME)'],
    ['$$', '$$$$'],
    ['$HOME and $(id)', '$$HOME and $$(id)'],
  ])('%j → %j', (input, expected) => {
    expect(kubeLiteral(input)).toBe(expected);
  });
});

describe('buildRunnerPod', () => {
  const pod = buildRunnerPod(job, ctx);

  it('is a one-shot pod with the deadline, no service links and no token by default', () => {
    expect(pod.metadata).toEqual({
      name: ctx.name,
      namespace: ctx.namespace,
      labels: ctx.labels,
      annotations: ctx.annotations,
    });
    expect(pod.spec).toMatchObject({
      restartPolicy: 'Never',
      activeDeadlineSeconds: 600,
      terminationGracePeriodSeconds: 5,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      volumes: [
        { name: 'workspace', emptyDir: {} },
        { name: 'tmp', emptyDir: {} },
        { name: 'home', emptyDir: {} },
      ],
    });
    for (const key of ['serviceAccountName', 'nodeSelector', 'tolerations', 'imagePullSecrets'])
      expect(pod.spec).not.toHaveProperty(key);
  });

  it('clones in an init container of the runner image, into the shared workspace', () => {
    const clone = container(pod, CLONE_CONTAINER);
    expect(pod.spec?.initContainers).toHaveLength(1);
    expect(clone).toMatchObject({
      image: ctx.runnerImage,
      command: ['ferry-runner', 'clone'],
      workingDir: WORKSPACE_DIR,
      volumeMounts: scratch,
    });
    const env = envOf(clone);
    expect(env.get('FERRY_CLONE_URL')).toEqual({ name: 'FERRY_CLONE_URL', value: job.project.cloneUrl });
    expect(env.get('FERRY_SHA')?.value).toBe(job.sha);
    expect(env.get('FERRY_WORKSPACE')?.value).toBe(WORKSPACE_DIR);
    expect(env.get('FERRY_CLONE_TOKEN')).toEqual({
      name: 'FERRY_CLONE_TOKEN',
      valueFrom: { secretKeyRef: { name: ctx.secretName, key: 'FERRY_CLONE_TOKEN' } },
    });
    expect(env.has('NPM_TOKEN')).toBe(false);
  });

  it('runs non-root, without privileges, with resources on every container (restricted Pod Security, quotas)', () => {
    expect(pod.spec?.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      fsGroup: 10001,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const clone = container(pod, CLONE_CONTAINER);
    const step = container(pod, STEP_CONTAINER);
    for (const c of [clone, step]) {
      expect(c?.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      });
      expect(c?.volumeMounts).toEqual(scratch);
      expect(envOf(c).get('HOME')?.value).toBe('/home/ferry');
    }
    // The clone writes only the workspace; a script may write anywhere in its image.
    expect(clone?.securityContext?.readOnlyRootFilesystem).toBe(true);
    expect(step?.securityContext?.readOnlyRootFilesystem).toBe(false);
    expect(clone?.resources).toEqual({
      requests: { cpu: '500m', memory: '512Mi' },
      limits: { cpu: '500m', memory: '512Mi' },
    });
    // No resources in the job: the configured default for steps.
    expect(step?.resources).toEqual({
      requests: { cpu: '1', memory: '1Gi' },
      limits: { cpu: '1', memory: '1Gi' },
    });
    const sized = buildRunnerPod({ ...job, resources: { memory: '256Mi' } }, ctx);
    expect(container(sized, STEP_CONTAINER)?.resources?.limits).toEqual({ cpu: '1', memory: '256Mi' });
    const deploy = buildRunnerPod({ ...job, stage: 'deploy', script: [] }, ctx);
    expect(container(deploy, STEP_CONTAINER)?.securityContext?.readOnlyRootFilesystem).toBe(true);
  });

  it('runs the script in the stage image, secrets by reference, never the clone token', () => {
    const step = container(pod, STEP_CONTAINER);
    expect(step).toMatchObject({ image: 'node:20', workingDir: WORKSPACE_DIR });
    expect(step?.command?.[0]).toBe('/bin/sh');
    const env = envOf(step);
    const script = Buffer.from(env.get('FERRY_SCRIPT')?.value ?? '', 'base64').toString('utf8');
    expect(script).toContain("eval 'npm ci'");
    expect(script).toContain("eval 'npm test'");
    expect(env.get('NPM_TOKEN')).toEqual({
      name: 'NPM_TOKEN',
      valueFrom: { secretKeyRef: { name: ctx.secretName, key: 'NPM_TOKEN' } },
    });
    expect(env.has('FERRY_CLONE_TOKEN')).toBe(false);
    expect(env.get('FERRY_PIPELINE_ID')?.value).toBe(job.pipelineId);
    expect(env.get('FERRY_WORKSPACE')?.value).toBe(WORKSPACE_DIR);
    expect(env.get('GREETING')?.value).toBe('hello $$(USER) $$$$ $$HOME');
  });

  it('holds no secret value anywhere in the spec', () => {
    const text = JSON.stringify(pod);
    for (const value of Object.values(job.secretEnv)) expect(text).not.toContain(value);
  });

  it.each([
    ['cpu and memory', { cpu: '500m', memory: '256Mi' }, { cpu: '500m', memory: '256Mi' }],
    ['memory only', { memory: '2Gi' }, { cpu: '1', memory: '2Gi' }],
    ['none', {}, { cpu: '1', memory: '1Gi' }],
  ])('resources: %s (the configured default fills what the job leaves out)', (_name, res, expected) => {
    const step = container(buildRunnerPod({ ...job, resources: res }, ctx), STEP_CONTAINER);
    expect(step?.resources).toEqual({ requests: expected, limits: expected });
  });

  it('takes placement, account and pull secrets from the configuration', () => {
    const placed = buildRunnerPod(job, {
      ...ctx,
      serviceAccount: 'ferry-runner',
      nodeSelector: { pool: 'ci' },
      tolerations: [{ key: 'ci', operator: 'Exists', effect: 'NoSchedule' }],
      imagePullSecrets: ['regcred'],
    });
    expect(placed.spec).toMatchObject({
      serviceAccountName: 'ferry-runner',
      automountServiceAccountToken: true,
      nodeSelector: { pool: 'ci' },
      tolerations: [{ key: 'ci', operator: 'Exists', effect: 'NoSchedule' }],
      imagePullSecrets: [{ name: 'regcred' }],
    });
  });

  it('starts the service sidecars before the clone; waits for them after the clone and the cache restore', () => {
    const withExtras: StageJob = {
      ...job,
      services: [
        { name: 'redis', image: 'redis:7', env: {}, readyTcp: 6379, readyTimeoutMs: 60_000 },
        { name: 'pg', image: 'postgres:16', env: {}, readyTcp: 5432, readyTimeoutMs: 60_000 },
      ],
      cache: { name: 'unit', keyFiles: ['package-lock.json'], paths: ['node_modules'], save: true },
    };
    const pod = buildRunnerPod(withExtras, { ...ctx, cache: { claimName: 'ferry-cache', maxBytes: 1024 } });
    expect(pod.spec?.initContainers?.map((c) => [c.name, c.restartPolicy ?? ''])).toEqual([
      ['service-redis', 'Always'],
      ['service-pg', 'Always'],
      [CLONE_CONTAINER, ''],
      ['cache-restore', ''],
      ['services-wait', ''],
    ]);
    expect(pod.spec?.containers.map((c) => c.name)).toEqual([STEP_CONTAINER, 'cache-save']);
  });

  it('skips the clone when checkout is false', () => {
    expect(buildRunnerPod({ ...job, checkout: false }, ctx).spec).not.toHaveProperty('initContainers');
  });

  it("runs the runner's own subcommand when the stage has no script (build, deploy)", () => {
    const step = container(
      buildRunnerPod({ ...job, stage: 'build', script: [], image: ctx.runnerImage }, ctx),
      STEP_CONTAINER,
    );
    expect(step?.command).toEqual(['ferry-runner', 'build']);
    expect(envOf(step).has('FERRY_SCRIPT')).toBe(false);
  });

  it('escapes $ in the script command so the kubelet does not expand it', () => {
    const step = container(pod, STEP_CONTAINER);
    expect(step?.command?.join('\n')).not.toMatch(/(^|[^$])\$\(printf/);
  });
});
