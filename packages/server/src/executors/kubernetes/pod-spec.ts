import {
  buildStageScript,
  cloneEnv,
  containerScriptCommand,
  encodeScript,
  SCRIPT_ENV,
  stageVariables,
} from '@ferry/runner';
import { RunnerEnv } from '@ferry/shared';
import type { V1Container, V1EnvVar, V1Pod, V1Toleration, V1Volume } from '@kubernetes/client-node';
import type { StageJob } from '../executor.js';
import { buildSandbox } from './build-sandbox.js';
import { secretEnvVar } from './secret.js';

export const WORKSPACE_DIR = '/workspace';
export const WORKSPACE_VOLUME = 'workspace';
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
  /** The Localhost seccomp profile of a buildah build step (`executor.kubernetes.buildSeccompProfile`). */
  buildSeccompProfile: string;
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

function resources(job: StageJob): V1Container['resources'] {
  const amounts: Record<string, string> = {};
  if (job.resources?.cpu !== undefined) amounts.cpu = job.resources.cpu;
  if (job.resources?.memory !== undefined) amounts.memory = job.resources.memory;
  if (Object.keys(amounts).length === 0) return undefined;
  // Requests equal limits: the scheduler reserves what the stage may use, and a stage over its
  // memory is OOMKilled (reported as such) instead of starving its neighbours.
  return { requests: { ...amounts }, limits: { ...amounts } };
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
      ...literalEnv({ ...env, [RunnerEnv.workspace]: WORKSPACE_DIR }, secret),
      ...[...secret].map((name) => secretEnvVar(name, ctx.secretName)),
    ],
    volumeMounts: [{ name: WORKSPACE_VOLUME, mountPath: WORKSPACE_DIR }],
  };
}

function stepContainer(job: StageJob, ctx: RunnerPodContext): V1Container {
  // The commands never see the clone token: it served the clone only.
  const secrets = Object.keys(job.secretEnv).filter((name) => name !== RunnerEnv.cloneToken);
  const plain = { ...stageVariables(job, WORKSPACE_DIR), ...job.env };
  const runsScript = job.script.length > 0;
  const container: V1Container = {
    name: STEP_CONTAINER,
    image: job.image,
    workingDir: WORKSPACE_DIR,
    env: [
      ...literalEnv(plain, new Set([...secrets, RunnerEnv.cloneToken, SCRIPT_ENV])),
      ...(runsScript ? [{ name: SCRIPT_ENV, value: encodeScript(buildStageScript(job.script)) }] : []),
      ...secrets.map((name) => secretEnvVar(name, ctx.secretName)),
    ],
    volumeMounts: [{ name: WORKSPACE_VOLUME, mountPath: WORKSPACE_DIR }],
    // No script: the runner's own subcommand for the stage (build, deploy) runs in its image.
    command: runsScript ? containerScriptCommand.map(kubeLiteral) : [RUNNER_PROGRAM, job.stage],
  };
  const limits = resources(job);
  if (limits !== undefined) container.resources = limits;
  return container;
}

/** The step container with the build sandbox's security context and mounts, for a buildah build. */
function withSandbox(container: V1Container, job: StageJob, ctx: RunnerPodContext): V1Container {
  const extra = volumes(job, ctx).container;
  return {
    ...container,
    ...extra,
    volumeMounts: [...(container.volumeMounts ?? []), ...(extra.volumeMounts ?? [])],
  };
}

function volumes(
  job: StageJob,
  ctx: RunnerPodContext,
): { container: Partial<V1Container>; volumes: V1Volume[] } {
  const workspace: V1Volume = { name: WORKSPACE_VOLUME, emptyDir: {} };
  if (job.buildah === undefined) return { container: {}, volumes: [workspace] };
  const sandbox = buildSandbox(job.buildah, ctx.secretName, ctx.buildSeccompProfile);
  return { container: sandbox.container, volumes: [workspace, ...sandbox.volumes] };
}

/**
 * The runner pod of a stage: an init container (runner image) clones the commit into an
 * emptyDir, the step container runs the stage image with the script and the workspace as its
 * working directory. Secret variables come from the runner's Secret, never as literals. Pure.
 */
export function buildRunnerPod(job: StageJob, ctx: RunnerPodContext): V1Pod {
  const checkout = job.checkout ?? true;
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
      ...(checkout ? { initContainers: [cloneContainer(job, ctx)] } : {}),
      containers: [withSandbox(stepContainer(job, ctx), job, ctx)],
      volumes: volumes(job, ctx).volumes,
    },
  };
}
