import {
  BuildahSandbox,
  cloneEnv,
  commandEnv,
  containerScriptCommand,
  encodeScript,
  SCRIPT_ENV,
} from '@ferry/runner';
import { RunnerEnv } from '@ferry/shared';
import type { ContainerCreateOptions, VolumeCreateOptions } from 'dockerode';
import type { StageJob } from '../executor.js';
import { stageScript } from '../stage-script.js';
import { Label, runnerLabels } from './labels.js';
import { type BuildCacheSlots, buildCacheVolumeName } from './project-volumes.js';
import { resourceLimits } from './resources.js';
import { containerName } from './runner-names.js';

/** Where the runner's volume is mounted in both containers, and their working directory. */
export const WORKSPACE = '/workspace';

/**
 * The runner image runs as a non-root user (10001) for Kubernetes' `restricted` Pod Security; on one
 * Docker host the clone still runs as root, as before: the workspace then belongs to root like
 * the stage image's default user (usually root) expects, and git in the step trusts it. A build
 * step needs the host's Docker socket, which only root (or the docker group) may open.
 */
export const ROOT_USER = '0:0';

export interface ContainerSpecOptions {
  runnerImage: string;
  /** Run an init (docker-init) as PID 1: signals reach the shell, zombies are reaped. */
  init: boolean;
  /** The seccomp profile (JSON text) of a buildah build step (`job.buildah`); required for one. */
  buildSeccompProfile?: string;
  /** A buildah build step's storage slots in its project's volume (`executor.docker.buildCache`). */
  buildCache?: BuildCacheSlots;
}

export function volumeSpec(job: StageJob, id: string): VolumeCreateOptions {
  return { Name: id, Driver: 'local', Labels: runnerLabels(job, id) };
}

export function hostConfig(
  id: string,
  options: ContainerSpecOptions,
  networkMode = 'host',
): ContainerCreateOptions['HostConfig'] {
  return {
    // No bridge networks: runners share the host's network, as the Kubernetes pods do theirs; a job
    // with services shares its runner's own namespace (`container:<id>-net`, service-specs.ts).
    NetworkMode: networkMode,
    Mounts: [{ Type: 'volume', Source: id, Target: WORKSPACE, ReadOnly: false }],
    Init: options.init,
    // json-file keeps the whole log until the container is removed: tail never loses the head.
    LogConfig: { Type: 'json-file', Config: {} },
    AutoRemove: false,
  };
}

/**
 * The runner container: `ferry-runner clone` into the volume. Only it gets the clone token, and
 * through its standard input (`--token-stdin`, see `cloneStdin`), not its environment: a container's
 * environment is in `docker inspect` for anyone who may talk to the engine.
 */
export function cloneContainerSpec(
  job: StageJob,
  id: string,
  options: ContainerSpecOptions,
): ContainerCreateOptions {
  const env = cloneEnv(job);
  const token = env[RunnerEnv.cloneToken];
  delete env[RunnerEnv.cloneToken];
  const viaStdin = token !== undefined;
  return {
    name: containerName(id, 'clone'),
    Image: options.runnerImage,
    Entrypoint: ['ferry-runner'],
    Cmd: ['clone', '--dir', WORKSPACE, ...(viaStdin ? ['--token-stdin'] : [])],
    Env: envList(env),
    WorkingDir: WORKSPACE,
    User: ROOT_USER,
    Labels: { ...runnerLabels(job, id), [Label.role]: 'clone' },
    AttachStdin: viaStdin,
    OpenStdin: viaStdin,
    // Stdin closes when the executor's attachment ends, so the runner reads the token to its end.
    StdinOnce: viaStdin,
    Tty: false,
    HostConfig: hostConfig(id, options),
  };
}

/** What the clone container reads on its standard input: the token and a line end, or nothing. */
export function cloneStdin(job: StageJob): string | undefined {
  const token = cloneEnv(job)[RunnerEnv.cloneToken];
  return token === undefined ? undefined : `${token}\n`;
}

/**
 * The step container: the stage image running the script (`buildStageScript`) passed base64 in
 * FERRY_SCRIPT, so any image with sh and base64 works; the workspace is its working directory.
 */
export function stepContainerSpec(
  job: StageJob,
  id: string,
  options: ContainerSpecOptions,
  networkMode = 'host',
): ContainerCreateOptions {
  return {
    name: containerName(id, 'step'),
    Image: job.image,
    Entrypoint: [...containerScriptCommand],
    Cmd: [],
    Env: envList({
      ...commandEnv(job, WORKSPACE),
      ...buildCacheEnv(job, options),
      [SCRIPT_ENV]: encodeScript(stageScript(job)),
    }),
    WorkingDir: WORKSPACE,
    ...(job.dockerSocket === undefined && job.buildah === undefined ? {} : { User: ROOT_USER }),
    Labels: { ...runnerLabels(job, id), [Label.role]: 'step' },
    AttachStdin: false,
    OpenStdin: false,
    Tty: false,
    HostConfig: stepHostConfig(job, id, options, networkMode),
  };
}

/** The step's host config: a build step also gets the host's Docker socket (`job.dockerSocket`). */
function stepHostConfig(
  job: StageJob,
  id: string,
  options: ContainerSpecOptions,
  networkMode: string,
): ContainerCreateOptions['HostConfig'] {
  const host = { ...hostConfig(id, options, networkMode), ...resourceLimits(job.resources) };
  if (job.buildah !== undefined) {
    const mounts = [...(host.Mounts ?? [])];
    if (options.buildCache !== undefined)
      mounts.push({
        Type: 'volume',
        Source: buildCacheVolumeName(job),
        Target: BuildahSandbox.cacheDir,
        ReadOnly: false,
      });
    return { ...host, ...buildahSandbox(mounts, runnerLabels(job, id), options) };
  }
  if (job.dockerSocket === undefined) return host;
  return {
    ...host,
    Mounts: [
      ...(host.Mounts ?? []),
      { Type: 'bind', Source: job.dockerSocket, Target: '/var/run/docker.sock', ReadOnly: false },
    ],
  };
}

/** Where a buildah build step finds its build cache, as on kubernetes (build-sandbox.ts). Pure. */
function buildCacheEnv(job: StageJob, options: ContainerSpecOptions): Record<string, string> {
  if (job.buildah === undefined || options.buildCache === undefined) return {};
  return {
    [RunnerEnv.buildCacheDir]: BuildahSandbox.cacheDir,
    [RunnerEnv.buildCacheSlots]: String(options.buildCache.slots),
    [RunnerEnv.buildCacheMaxBytes]: String(options.buildCache.maxBytes),
  };
}

/**
 * The build pod's sandbox on one Docker host (docs/release.md, "The build pod"; docs/executors.md,
 * "Building with buildah"): root in the container with every capability dropped but SETUID, SETGID
 * and SETFCAP, no_new_privs, the seccomp profile that adds unshare/mount/umount2/chroot to Docker's
 * default, and an anonymous volume for buildah's storage (removed with the container, labelled). No socket,
 * nothing privileged. The registry auth file is not a mount: the executor unpacks it into the
 * created container (authFileArchive). Pure.
 */
function buildahSandbox(
  mounts: NonNullable<NonNullable<ContainerCreateOptions['HostConfig']>['Mounts']>,
  labels: Record<string, string>,
  options: ContainerSpecOptions,
): NonNullable<ContainerCreateOptions['HostConfig']> {
  if (options.buildSeccompProfile === undefined)
    throw new Error('a buildah build step needs the build seccomp profile');
  return {
    CapDrop: ['ALL'],
    CapAdd: [...BuildahSandbox.capabilities],
    SecurityOpt: ['no-new-privileges', `seccomp=${options.buildSeccompProfile}`],
    Privileged: false,
    // Labelled like the runner's other volumes, so `list` (the reaper) and people find one left behind.
    Mounts: [
      ...mounts,
      {
        Type: 'volume',
        Source: '',
        Target: BuildahSandbox.storageDir,
        ReadOnly: false,
        VolumeOptions: {
          Labels: { ...labels, [Label.role]: 'build-storage' },
          NoCopy: false,
          DriverConfig: { Name: 'local', Options: {} },
        },
      },
    ],
  };
}

/** `KEY=value` entries; Docker splits at the first `=`, so a value may hold anything. */
export function envList(env: Readonly<Record<string, string>>): string[] {
  return Object.entries(env).map(([key, value]) => `${key}=${value}`);
}

/** Why the job's variables cannot be passed to a container, or undefined. */
export function envProblem(job: StageJob): string | undefined {
  for (const key of [...Object.keys(job.env), ...Object.keys(job.secretEnv)]) {
    if (key === '' || key.includes('=') || key.includes('\0')) {
      return `the environment variable name ${JSON.stringify(key)} is not valid`;
    }
  }
  for (const value of [...Object.values(job.env), ...Object.values(job.secretEnv)]) {
    if (value.includes('\0')) return 'an environment variable holds a NUL character';
  }
  return undefined;
}
