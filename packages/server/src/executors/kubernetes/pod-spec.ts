import { cloneEnv, containerScriptCommand, encodeScript, SCRIPT_ENV, stageVariables } from '@ferry/runner';
import { RunnerEnv } from '@ferry/shared';
import type {
  V1Container,
  V1EnvVar,
  V1Pod,
  V1SecurityContext,
  V1Toleration,
  V1Volume,
} from '@kubernetes/client-node';
import type { StageJob } from '../executor.js';
import { stageScript } from '../stage-script.js';
import { type BuildCacheSettings, type BuildSandboxLevel, buildSandbox } from './build-sandbox.js';
import { type PodCacheSettings, podExtras, recordExitCode } from './pod-extras.js';
import { secretEnvVar } from './secret.js';

export const WORKSPACE_DIR = '/workspace';
export const WORKSPACE_VOLUME = 'workspace';
/**
 * Writable scratch for containers whose root filesystem is read-only: `/tmp`, and a home
 * directory (HOME) that exists whatever uid the pod runs as.
 */
export const TMP_VOLUME = 'tmp';
export const HOME_VOLUME = 'home';
export const HOME_DIR = '/home/ferry';
/** The init container that clones the commit (runner image). */
export const CLONE_CONTAINER = 'clone';
/** The container that runs the stage's commands (the stage image). */
export const STEP_CONTAINER = 'step';

/** How the runner image is invoked: its program is `ferry-runner` on the PATH. */
export const RUNNER_PROGRAM = 'ferry-runner';

export interface RunnerPodContext {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  runnerImage: string;
  /** The runner's Secret; every key of `job.secretEnv` is read from it. */
  secretName: string;
  serviceAccount?: string;
  nodeSelector: Readonly<Record<string, string>>;
  tolerations: readonly V1Toleration[];
  imagePullSecrets: readonly string[];
  /** What the kubelet gives containers between SIGTERM and SIGKILL when the deadline ends the pod. */
  terminationGraceSeconds: number;
  /** A buildah build step's sandbox (`executor.kubernetes.buildSandbox`) and its Localhost seccomp profile (`buildSeccompProfile`). */
  buildSandbox: { level: BuildSandboxLevel; seccompProfile: string };
  /** The non-root uid (and gid) of every container. */
  runAsUser: number;
  /** Requests = limits of the clone init container. */
  cloneResources: ComputeResources;
  /** Requests = limits of the step container when the job gives none. */
  stepResources: ComputeResources;
  /** Requests = limits of each service sidecar (`executor.kubernetes.serviceResources`). */
  serviceResources?: ComputeResources;
  /** Where caches are kept (`executor.kubernetes.cache`); none: jobs' caches are not kept. */
  cache?: PodCacheSettings;
  /** Where buildah storage outlives build pods (`executor.kubernetes.buildCache`); none: empty each time. */
  buildCache?: BuildCacheSettings;
}

export interface ComputeResources {
  cpu: string;
  memory: string;
}

/** `activeDeadlineSeconds` for a stage timeout: whole seconds, rounded up, at least 1. Pure. */
export function activeDeadlineSeconds(timeoutMs: number): number {
  return Math.max(1, Math.ceil(timeoutMs / 1000));
}

/**
 * A literal for an env value, command or argument: the kubelet expands `$(NAME)` in these and
 * turns `$$` into `$`, so every `$` is doubled to arrive unchanged. Pure.
 */
export function kubeLiteral(text: string): string {
  return text.replaceAll('$', () => '$$');
}

function literalEnv(values: Readonly<Record<string, string>>, skip: ReadonlySet<string>): V1EnvVar[] {
  return Object.entries(values)
    .filter(([name]) => !skip.has(name))
    .map(([name, value]) => ({ name, value: kubeLiteral(value) }));
}

/**
 * Requests equal limits: the scheduler reserves what the stage may use, a stage over its memory
 * is OOMKilled (reported as such) instead of starving its neighbours, and a namespace quota on
 * cpu or memory admits the pod (it needs both on every container, init containers included).
 */
function resources(amounts: ComputeResources): V1Container['resources'] {
  return { requests: { ...amounts }, limits: { ...amounts } };
}

function stepResources(job: StageJob, ctx: RunnerPodContext): ComputeResources {
  return {
    cpu: job.resources?.cpu ?? ctx.stepResources.cpu,
    memory: job.resources?.memory ?? ctx.stepResources.memory,
  };
}

/**
 * What the `restricted` Pod Security Standard asks of every container: no privilege escalation,
 * no capabilities. The root filesystem is read-only where Ferry knows what the container writes
 * (the runner image: clone, build, deploy write only the workspace, /tmp and HOME); a stage
 * script's image keeps a writable one (scripts install packages and write caches).
 */
function containerSecurity(readOnlyRoot: boolean): V1SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    readOnlyRootFilesystem: readOnlyRoot,
  };
}

/**
 * git refuses a repository in a directory another user owns ("dubious ownership"); the workspace
 * emptyDir belongs to root while the pod runs as non-root, so git in the script trusts it through
 * command-scope configuration (a script may set its own GIT_CONFIG_* instead).
 */
const trustWorkspace = {
  GIT_CONFIG_COUNT: '1',
  GIT_CONFIG_KEY_0: 'safe.directory',
  GIT_CONFIG_VALUE_0: WORKSPACE_DIR,
};

const scratchMounts = () => [
  { name: WORKSPACE_VOLUME, mountPath: WORKSPACE_DIR },
  { name: TMP_VOLUME, mountPath: '/tmp' },
  { name: HOME_VOLUME, mountPath: HOME_DIR },
];

/** A container of the runner image running `command` in the workspace (cache, services wait). */
function runnerContainer(ctx: RunnerPodContext, name: string, command: string[]): V1Container {
  return {
    name,
    image: ctx.runnerImage,
    command,
    workingDir: WORKSPACE_DIR,
    env: literalEnv({ HOME: HOME_DIR, [RunnerEnv.workspace]: WORKSPACE_DIR }, new Set()),
    volumeMounts: scratchMounts(),
    resources: resources(ctx.cloneResources),
    securityContext: containerSecurity(true),
  };
}

function cloneContainer(job: StageJob, ctx: RunnerPodContext): V1Container {
  const env = cloneEnv(job);
  const secret = new Set(Object.keys(job.secretEnv).filter((name) => name in env));
  return {
    name: CLONE_CONTAINER,
    image: ctx.runnerImage,
    command: [RUNNER_PROGRAM, 'clone'],
    workingDir: WORKSPACE_DIR,
    env: [
      ...literalEnv({ HOME: HOME_DIR, ...env, [RunnerEnv.workspace]: WORKSPACE_DIR }, secret),
      ...[...secret].map((name) => secretEnvVar(name, ctx.secretName)),
    ],
    volumeMounts: scratchMounts(),
    resources: resources(ctx.cloneResources),
    securityContext: containerSecurity(true),
  };
}

function stepContainer(job: StageJob, ctx: RunnerPodContext, recordsExit: boolean): V1Container {
  // The commands never see the clone token: it served the clone only.
  const secrets = Object.keys(job.secretEnv).filter((name) => name !== RunnerEnv.cloneToken);
  const plain = { HOME: HOME_DIR, ...trustWorkspace, ...stageVariables(job, WORKSPACE_DIR), ...job.env };
  const runsScript = job.script.length > 0;
  const container: V1Container = {
    name: STEP_CONTAINER,
    image: job.image,
    workingDir: WORKSPACE_DIR,
    env: [
      ...literalEnv(plain, new Set([...secrets, RunnerEnv.cloneToken, SCRIPT_ENV])),
      ...(runsScript
        ? [{ name: SCRIPT_ENV, value: encodeScript(stageScript(job, recordsExit ? [recordExitCode] : [])) }]
        : []),
      ...secrets.map((name) => secretEnvVar(name, ctx.secretName)),
    ],
    volumeMounts: scratchMounts(),
    // No script: the runner's own subcommand for the stage (build, deploy) runs in its image.
    command: runsScript ? containerScriptCommand.map(kubeLiteral) : [RUNNER_PROGRAM, job.stage],
    resources: resources(stepResources(job, ctx)),
    securityContext: containerSecurity(!runsScript),
  };
  return container;
}

/** The step container with the build sandbox's security context and mounts, for a buildah build. */
function withSandbox(container: V1Container, job: StageJob, ctx: RunnerPodContext): V1Container {
  const extra = volumes(job, ctx).container;
  return {
    ...container,
    ...extra,
    ...(extra.env === undefined ? {} : { env: [...(container.env ?? []), ...extra.env] }),
    volumeMounts: [...(container.volumeMounts ?? []), ...(extra.volumeMounts ?? [])],
  };
}

function volumes(
  job: StageJob,
  ctx: RunnerPodContext,
): { container: Partial<V1Container>; volumes: V1Volume[] } {
  const scratch: V1Volume[] = [
    { name: WORKSPACE_VOLUME, emptyDir: {} },
    { name: TMP_VOLUME, emptyDir: {} },
    { name: HOME_VOLUME, emptyDir: {} },
  ];
  if (job.buildah === undefined) return { container: {}, volumes: scratch };
  const sandbox = buildSandbox(
    job.buildah,
    ctx.secretName,
    ctx.buildSandbox,
    ctx.buildCache === undefined ? undefined : { settings: ctx.buildCache, projectId: job.project.id },
  );
  return { container: sandbox.container, volumes: [...scratch, ...sandbox.volumes] };
}

/**
 * The runner pod of a stage: an init container (runner image) clones the commit into an
 * emptyDir, the step container runs the stage image with the script and the workspace as its
 * working directory. A job's services and cache add containers (pod-extras.ts). Secret variables come from the runner's Secret, never as literals. Pure.
 */
export function buildRunnerPod(job: StageJob, ctx: RunnerPodContext): V1Pod {
  const checkout = job.checkout ?? true;
  const extras = podExtras(job, {
    runnerImage: ctx.runnerImage,
    workspaceMount: { name: WORKSPACE_VOLUME, mountPath: WORKSPACE_DIR },
    runnerContainer: (name, command) => runnerContainer(ctx, name, command),
    serviceResources: ctx.serviceResources ?? { cpu: '500m', memory: '512Mi' },
    ...(ctx.cache === undefined ? {} : { cache: ctx.cache }),
  });
  const step = withSandbox(stepContainer(job, ctx, extras.main.length > 0), job, ctx);
  const initContainers = [
    ...extras.sidecars,
    ...(checkout ? [cloneContainer(job, ctx)] : []),
    ...extras.afterCheckout,
  ];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: ctx.name,
      namespace: ctx.namespace,
      labels: { ...ctx.labels },
      annotations: { ...ctx.annotations },
    },
    spec: {
      restartPolicy: 'Never',
      activeDeadlineSeconds: activeDeadlineSeconds(job.timeoutMs),
      terminationGracePeriodSeconds: ctx.terminationGraceSeconds,
      // Runners talk to the API only when given an account for it (deploy); no service env vars.
      automountServiceAccountToken: ctx.serviceAccount !== undefined,
      enableServiceLinks: false,
      ...(ctx.serviceAccount === undefined ? {} : { serviceAccountName: ctx.serviceAccount }),
      ...(Object.keys(ctx.nodeSelector).length === 0 ? {} : { nodeSelector: { ...ctx.nodeSelector } }),
      ...(ctx.tolerations.length === 0 ? {} : { tolerations: ctx.tolerations.map((t) => ({ ...t })) }),
      ...(ctx.imagePullSecrets.length === 0
        ? {}
        : { imagePullSecrets: ctx.imagePullSecrets.map((name) => ({ name })) }),
      // Non-root with the runtime's default seccomp profile: the pod passes `restricted`. Both
      // containers share the uid, so the clone's files belong to the user the step runs as. A
      // buildah build step in the baseline sandbox runs as root: its pod sets no user.
      securityContext:
        job.buildah === undefined || ctx.buildSandbox.level === 'restricted'
          ? {
              runAsNonRoot: true,
              runAsUser: ctx.runAsUser,
              runAsGroup: ctx.runAsUser,
              fsGroup: ctx.runAsUser,
              seccompProfile: { type: 'RuntimeDefault' },
            }
          : { seccompProfile: { type: 'RuntimeDefault' } },
      ...(initContainers.length > 0 ? { initContainers } : {}),
      containers: [
        { ...step, volumeMounts: [...(step.volumeMounts ?? []), ...(extras.stepMounts ?? [])] },
        ...extras.main,
      ],
      volumes: [...volumes(job, ctx).volumes, ...extras.volumes],
    },
  };
}
