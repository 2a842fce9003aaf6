/**
 * One attempt to run a container of a pod, as the kubelet's SyncPod does it: make the image
 * available (ErrImagePull → ImagePullBackOff, InvalidImageName), build the environment
 * (CreateContainerConfigError), create and start it (StartError). Each waiting reason is
 * reported through `report` and retried until it clears or the pod stops.
 */
import type Dockerode from 'dockerode';
import type { Container, PodSpec } from '../api/kinds/pod-spec.js';
import { R } from '../api/resources.js';
import type { KubeObject } from '../types.js';
import { buildContainerConfig, effectiveUser } from './container-config.js';
import type { KubeletDeps } from './deps.js';
import { buildEnv, type ConfigSource } from './env.js';
import { credentialsFromSecrets, ensureImage } from './images.js';
import { containerLabels } from './labels.js';
import { seccompOption } from './seccomp.js';
import type { Terminated } from './status.js';
import { dockerTime, sleep } from './util.js';
import { bindsFor, readOnlyVolumeNames } from './volumes.js';

export interface LaunchContext {
  deps: KubeletDeps;
  signal: AbortSignal;
  /** The pod as stored now (spec images may have been updated). */
  latest(): KubeObject | undefined;
  dirs: Map<string, string>;
  /** Environment the double adds: PORT (forced), KUBERNETES_SERVICE_* and HOSTNAME (defaults). */
  extraEnv(container: Container): { defaults: Record<string, string>; forced: Record<string, string> };
  waiting(reason: string, message?: string): void;
  event(type: 'Normal' | 'Warning', reason: string, message: string): void;
  dockerName(): string;
  /** The container's network mode: `host` or the pod sandbox's (network/pod-network.ts). */
  networkMode(): string;
}

export type LaunchResult =
  | { kind: 'started'; id: string; imageID: string; startedAt: string; tty: boolean }
  | { kind: 'startError'; id: string; imageID: string; terminated: Omit<Terminated, 'containerID'> }
  | { kind: 'stopped' };

export function configSource(deps: KubeletDeps, namespace: string): ConfigSource {
  return {
    secret: (name) =>
      deps.store.peek(R.secrets, namespace, name)?.data ??
      (deps.store.peek(R.secrets, namespace, name) ? {} : undefined),
    configMap: (name) => {
      const cm = deps.store.peek(R.configmaps, namespace, name);
      return cm ? { data: cm.data ?? {}, binaryData: cm.binaryData ?? {} } : undefined;
    },
  };
}

function findContainer(pod: KubeObject, name: string): Container | undefined {
  const spec = pod.spec as PodSpec;
  return [...(spec.initContainers ?? []), ...(spec.containers ?? [])].find((c) => c.name === name);
}

async function imageUser(docker: Dockerode, image: string): Promise<string> {
  try {
    return (await docker.getImage(image).inspect()).Config?.User ?? '';
  } catch {
    return '';
  }
}

/** The kubelet's runAsNonRoot verification, or undefined when it passes. */
async function nonRootError(ctx: LaunchContext, pod: KubeObject, c: Container): Promise<string | undefined> {
  const nonRoot = c.securityContext?.runAsNonRoot ?? (pod.spec as PodSpec).securityContext?.runAsNonRoot;
  if (!nonRoot) return undefined;
  const who = `(pod: "${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})", container: ${c.name})`;
  const { uid } = effectiveUser(pod, c);
  if (uid !== undefined) return uid === 0 ? `container's runAsUser breaks non-root policy ${who}` : undefined;
  const user = (await imageUser(ctx.deps.docker, c.image ?? '')).split(':')[0] ?? '';
  if (user === '' || user === 'root' || user === '0')
    return `container has runAsNonRoot and image will run as root ${who}`;
  if (!/^\d+$/.test(user))
    return `container has runAsNonRoot and image has non-numeric user (${user}), cannot verify user is non-root ${who}`;
  return undefined;
}

async function pullImage(
  ctx: LaunchContext,
  name: string,
): Promise<{ image: string; imageID: string } | undefined> {
  const { deps } = ctx;
  let backoff = deps.timing.imagePullBackoffMs;
  for (;;) {
    const pod = ctx.latest();
    const c = pod && findContainer(pod, name);
    if (!pod || !c || ctx.signal.aborted) return undefined;
    const image = c.image ?? '';
    const pullSecrets = ((pod.spec as PodSpec).imagePullSecrets ?? [])
      .map((s) => deps.store.peek(R.secrets, pod.metadata.namespace, s.name ?? '')?.data)
      .filter((d): d is Record<string, string> => d !== undefined);
    const result = await ensureImage(deps.docker, image, c.imagePullPolicy ?? 'IfNotPresent', (registry) =>
      credentialsFromSecrets(pullSecrets, registry),
    );
    if (result.ok) {
      ctx.event(
        'Normal',
        'Pulled',
        `Container image "${image}" already present on machine and can be accessed by the pod`,
      );
      return { image, imageID: result.imageID };
    }
    if (result.reason === 'InvalidImageName') {
      ctx.waiting('InvalidImageName', result.message);
      ctx.event('Warning', 'InspectFailed', result.message);
      ctx.event('Warning', 'Failed', 'Error: InvalidImageName');
    } else if (result.reason === 'ErrImageNeverPull') {
      ctx.waiting('ErrImageNeverPull', result.message);
      ctx.event('Warning', 'ErrImageNeverPull', result.message);
      ctx.event('Warning', 'Failed', 'Error: ErrImageNeverPull');
    } else {
      ctx.event('Normal', 'Pulling', `Pulling image "${image}"`);
      ctx.waiting('ErrImagePull', result.message);
      ctx.event('Warning', 'Failed', `Failed to pull image "${image}": ${result.message}`);
      ctx.event('Warning', 'Failed', 'Error: ErrImagePull');
      if (!(await sleep(Math.min(backoff, 1000), ctx.signal))) return undefined;
      ctx.waiting('ImagePullBackOff', `Back-off pulling image "${image}": ErrImagePull: ${result.message}`);
      ctx.event('Normal', 'BackOff', `Back-off pulling image "${image}"`);
      ctx.event('Warning', 'Failed', 'Error: ImagePullBackOff');
    }
    if (!(await sleep(backoff, ctx.signal))) return undefined;
    backoff = Math.min(backoff * 2, deps.timing.maxImagePullBackoffMs);
  }
}

export async function launch(ctx: LaunchContext, name: string, isInit: boolean): Promise<LaunchResult> {
  const { deps } = ctx;
  for (;;) {
    const pulled = await pullImage(ctx, name);
    if (!pulled) return { kind: 'stopped' };
    const pod = ctx.latest();
    const c = pod && findContainer(pod, name);
    if (!pod || !c || ctx.signal.aborted) return { kind: 'stopped' };
    const node = deps.node();
    const env = buildEnv(pod, c, configSource(deps, pod.metadata.namespace ?? ''), {
      cpu: node.allocatable.cpu,
      memory: node.allocatable.memory,
    });
    const configError = env.ok ? await nonRootError(ctx, pod, c) : env.message;
    if (configError || !env.ok) {
      ctx.waiting('CreateContainerConfigError', configError);
      ctx.event('Warning', 'Failed', `Error: ${configError}`);
      if (!(await sleep(deps.timing.configRetryMs, ctx.signal))) return { kind: 'stopped' };
      continue;
    }
    const seccomp = await seccompOption(pod, c, deps.seccompRoot);
    if (!seccomp.ok) {
      ctx.waiting('CreateContainerError', seccomp.message);
      ctx.event('Warning', 'Failed', `Error: ${seccomp.message}`);
      if (!(await sleep(deps.timing.configRetryMs, ctx.signal))) return { kind: 'stopped' };
      continue;
    }
    const extra = ctx.extraEnv(c);
    const options = buildContainerConfig({
      seccomp: seccomp.securityOpt,
      dockerName: ctx.dockerName(),
      networkMode: ctx.networkMode(),
      pod,
      container: c,
      env: env.env,
      defaultEnv: extra.defaults,
      forcedEnv: extra.forced,
      binds: await bindsFor(c, ctx.dirs, readOnlyVolumeNames(pod.spec as PodSpec)),
      labels: {
        ...containerLabels(
          deps.instanceId,
          pod.metadata.namespace ?? '',
          pod.metadata.name,
          pod.metadata.uid,
          name,
        ),
        'ferry.k8s-double.init': String(isInit),
      },
    });
    let container: Dockerode.Container;
    try {
      container = await deps.docker.createContainer(options);
    } catch (err) {
      const message = (err as { json?: { message?: string } }).json?.message ?? (err as Error).message;
      ctx.waiting('CreateContainerError', message);
      ctx.event('Warning', 'Failed', `Error: ${message}`);
      if (!(await sleep(deps.timing.configRetryMs, ctx.signal))) return { kind: 'stopped' };
      continue;
    }
    ctx.event('Normal', 'Created', `Created container: ${name}`);
    if (ctx.signal.aborted)
      return {
        kind: 'startError',
        id: container.id,
        imageID: pulled.imageID,
        terminated: {
          exitCode: 137,
          reason: 'Error',
          startedAt: dockerTime(undefined),
          finishedAt: dockerTime(undefined),
        },
      };
    try {
      await container.start();
    } catch (err) {
      const message = (err as { json?: { message?: string } }).json?.message ?? (err as Error).message;
      ctx.event('Warning', 'Failed', `Error: failed to start container "${name}": ${message}`);
      const now = dockerTime(undefined);
      return {
        kind: 'startError',
        id: container.id,
        imageID: pulled.imageID,
        terminated: { exitCode: 128, reason: 'StartError', message, startedAt: now, finishedAt: now },
      };
    }
    const info = await container.inspect().catch(() => undefined);
    ctx.event('Normal', 'Started', `Started container ${name}`);
    return {
      kind: 'started',
      id: container.id,
      imageID: pulled.imageID,
      startedAt: dockerTime(info?.State.StartedAt),
      tty: c.tty === true,
    };
  }
}
