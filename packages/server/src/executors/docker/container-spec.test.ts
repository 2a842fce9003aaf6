import { buildStageScript, containerScriptCommand } from '@ferry/runner';
import { describe, expect, it } from 'vitest';
import type { StageJob } from '../executor.js';
import {
  cloneContainerSpec,
  cloneStdin,
  envList,
  envProblem,
  stepContainerSpec,
  volumeSpec,
} from './container-spec.js';

const id = 'ferry-p1-test-1-0a0b0c0d';
const job: StageJob = {
  pipelineId: 'p1',
  stage: 'test',
  attempt: 1,
  project: { id: 7, path: 'group/app', cloneUrl: 'https://git.example.com/group/app.git' },
  ref: 'feature/$(id)',
  sha: 'a'.repeat(40),
  image: 'node:20',
  script: ['npm ci', 'npm test'],
  env: { NODE_ENV: 'test' },
  secretEnv: { API_KEY: 'k-123456', FERRY_CLONE_TOKEN: 'clone-tok' },
  timeoutMs: 60_000,
  resources: { cpu: '1500m', memory: '1Gi' },
};
const options = { runnerImage: 'ferry/runner:1', init: true };
const labels = {
  'ferry.managed': '1',
  'ferry.executor': 'docker',
  'ferry.runner': id,
  'ferry.pipeline': 'p1',
  'ferry.stage': 'test',
  'ferry.project': 'group/app',
  'ferry.sha': 'a'.repeat(40),
  'ferry.attempt': '1',
};
const mounts = [{ Type: 'volume', Source: id, Target: '/workspace', ReadOnly: false }];

describe('docker container specs', () => {
  it('volume: named for the runner, labelled', () => {
    expect(volumeSpec(job, id)).toEqual({ Name: id, Driver: 'local', Labels: labels });
  });

  it('clone container: the runner image cloning into the volume, the token on stdin, not in Env', () => {
    expect(cloneContainerSpec(job, id, options)).toEqual({
      name: `${id}-clone`,
      Image: 'ferry/runner:1',
      Entrypoint: ['ferry-runner'],
      Cmd: ['clone', '--dir', '/workspace', '--token-stdin'],
      Env: [
        'FERRY_CLONE_URL=https://git.example.com/group/app.git',
        `FERRY_SHA=${'a'.repeat(40)}`,
        'FERRY_REF=feature/$(id)',
      ],
      WorkingDir: '/workspace',
      // The runner image's user is non-root (for Kubernetes); on one Docker host the clone is root.
      User: '0:0',
      Labels: { ...labels, 'ferry.role': 'clone' },
      AttachStdin: true,
      OpenStdin: true,
      StdinOnce: true,
      Tty: false,
      HostConfig: {
        NetworkMode: 'host',
        Mounts: mounts,
        Init: true,
        LogConfig: { Type: 'json-file', Config: {} },
        AutoRemove: false,
      },
    });
  });

  it('clone stdin: the token and a line end; nothing without a token', () => {
    expect(cloneStdin(job)).toBe('clone-tok\n');
    const anonymous = { ...job, secretEnv: { API_KEY: 'k-123456' } };
    expect(cloneStdin(anonymous)).toBeUndefined();
    expect(cloneContainerSpec(anonymous, id, options)).toMatchObject({
      Cmd: ['clone', '--dir', '/workspace'],
      AttachStdin: false,
      OpenStdin: false,
      StdinOnce: false,
    });
  });

  it('step container: the stage image, the script in base64, limits, no clone token', () => {
    const spec = stepContainerSpec(job, id, options);
    expect(spec).toMatchObject({
      name: `${id}-step`,
      Image: 'node:20',
      Entrypoint: [...containerScriptCommand],
      Cmd: [],
      WorkingDir: '/workspace',
      Labels: { ...labels, 'ferry.role': 'step' },
      HostConfig: {
        NetworkMode: 'host',
        Mounts: mounts,
        Init: true,
        Memory: 2 ** 30,
        NanoCpus: 1_500_000_000,
      },
    });
    const env = new Map(spec.Env?.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
    expect(env.get('NODE_ENV')).toBe('test');
    expect(env.get('API_KEY')).toBe('k-123456');
    expect(env.get('FERRY_REF')).toBe('feature/$(id)');
    expect(env.get('FERRY_WORKSPACE')).toBe('/workspace');
    expect(env.has('FERRY_CLONE_TOKEN')).toBe(false);
    expect(Buffer.from(env.get('FERRY_SCRIPT') ?? '', 'base64').toString()).toBe(
      buildStageScript(job.script),
    );
    // The branch name is data: it is in no command the container runs.
    expect(JSON.stringify([spec.Entrypoint, spec.Cmd])).not.toContain('feature');
  });

  it('step container: the image default user, root only when it needs the Docker socket (build)', () => {
    expect(stepContainerSpec(job, id, options)).not.toHaveProperty('User');
    const build = stepContainerSpec({ ...job, dockerSocket: '/var/run/docker.sock' }, id, options);
    expect(build.User).toBe('0:0');
    expect(build.HostConfig?.Mounts).toContainEqual(
      expect.objectContaining({ Source: '/var/run/docker.sock', Target: '/var/run/docker.sock' }),
    );
  });

  it('buildah build step: the build pod sandbox — root, 3 capabilities, no_new_privs, the profile, a storage volume, no socket, no credential', () => {
    const profile = '{"defaultAction":"SCMP_ACT_ERRNO"}';
    const buildah = {
      ...job,
      stage: 'build' as const,
      secretEnv: {},
      buildah: { authJson: '{"auths":{"r":{"auth":"c2VjcmV0"}}}' },
    };
    const spec = stepContainerSpec(buildah, id, { ...options, buildSeccompProfile: profile });
    expect(spec.User).toBe('0:0');
    expect(spec.HostConfig).toMatchObject({
      CapDrop: ['ALL'],
      CapAdd: ['SETUID', 'SETGID', 'SETFCAP'],
      SecurityOpt: ['no-new-privileges', `seccomp=${profile}`],
      Privileged: false,
      NetworkMode: 'host',
    });
    expect(spec.HostConfig?.Mounts).toEqual([
      ...mounts,
      {
        Type: 'volume',
        Source: '',
        Target: '/var/lib/containers',
        ReadOnly: false,
        VolumeOptions: {
          Labels: { ...labels, 'ferry.stage': 'build', 'ferry.role': 'build-storage' },
          NoCopy: false,
          DriverConfig: { Name: 'local', Options: {} },
        },
      },
    ]);
    // The credential is a file the executor unpacks into the container: not in the spec at all.
    expect(JSON.stringify(spec)).not.toContain('c2VjcmV0');
    expect(JSON.stringify(spec)).not.toContain('docker.sock');
    expect(() => stepContainerSpec(buildah, id, options)).toThrow(/seccomp profile/);
    // Without executor.docker.buildCache: no build cache volume, no slots in the environment.
    expect(JSON.stringify(spec)).not.toContain('ferry-build-cache');
    expect(spec.Env?.some((e) => e.startsWith('FERRY_BUILD_CACHE'))).toBe(false);
  });

  it('buildah build step with a build cache: its project volume at the cache directory, the slots in the env', () => {
    const buildah = { ...job, stage: 'build' as const, secretEnv: {}, buildah: {}, owner: 'ferry:a' };
    const spec = stepContainerSpec(buildah, id, {
      ...options,
      buildSeccompProfile: '{}',
      buildCache: { slots: 3, maxBytes: 1024 },
    });
    expect(spec.HostConfig?.Mounts).toContainEqual({
      Type: 'volume',
      Source: 'ferry-build-cache-ferry_a-p7',
      Target: '/var/lib/ferry-build-cache',
      ReadOnly: false,
    });
    expect(spec.Env).toEqual(
      expect.arrayContaining([
        'FERRY_BUILD_CACHE_DIR=/var/lib/ferry-build-cache',
        'FERRY_BUILD_CACHE_SLOTS=3',
        'FERRY_BUILD_CACHE_MAX_BYTES=1024',
      ]),
    );
    // A test step never gets it, even with the option set.
    const test = stepContainerSpec(job, id, { ...options, buildCache: { slots: 3, maxBytes: 1024 } });
    expect(JSON.stringify(test)).not.toContain('ferry-build-cache');
  });

  it('step container without resources has no limits', () => {
    const { HostConfig } = stepContainerSpec({ ...job, resources: undefined }, id, options);
    expect(HostConfig).not.toHaveProperty('Memory');
    expect(HostConfig).not.toHaveProperty('NanoCpus');
  });
});

describe('env', () => {
  it.each([
    [{ A: '1' }, ['A=1']],
    [{ A: 'x=y' }, ['A=x=y']],
    [{ A: 'multi\nline' }, ['A=multi\nline']],
    [{}, []],
  ])('%j → %j', (env, expected) => {
    expect(envList(env)).toEqual(expected);
  });

  it.each<[Record<string, string>, RegExp | undefined]>([
    [{ GOOD_NAME: 'v' }, undefined],
    [{ 'A=B': 'v' }, /not valid/],
    [{ '': 'v' }, /not valid/],
    [{ A: 'nul\0' }, /NUL/],
  ])('problem of %j', (env, expected) => {
    const problem = envProblem({ ...job, env });
    if (expected === undefined) expect(problem).toBeUndefined();
    else expect(problem).toMatch(expected);
  });
});
