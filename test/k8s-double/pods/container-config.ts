/** Docker create options for one container of a pod: a pure function of the pod and its inputs. */
import type Dockerode from 'dockerode';
import type { Container, PodSpec } from '../api/kinds/pod-spec.js';
import { parseQuantity } from '../api/quantity.js';
import type { KubeObject } from '../types.js';
import { expand } from './env.js';

export interface ContainerConfigInput {
  dockerName: string;
  pod: KubeObject;
  container: Container;
  /** The container's own environment (envFrom + env), in order. */
  env: [string, string][];
  /** Defaults the user's env may override (KUBERNETES_SERVICE_*, HOSTNAME). */
  defaultEnv: Record<string, string>;
  /** Variables the double sets whatever the spec says (PORT). */
  forcedEnv: Record<string, string>;
  binds: string[];
  labels: Record<string, string>;
  /** Docker security options for the container's seccomp profile (seccomp.ts). */
  seccomp: string[];
  /** `host`, or `container:<sandbox>` for a pod with its own network namespace (network/). */
  networkMode: string;
}

const MIN_MEMORY = 6 * 1024 * 1024;

export function effectiveUser(pod: KubeObject, c: Container): { uid?: number; gid?: number } {
  const podSc = (pod.spec as PodSpec).securityContext ?? {};
  const sc = c.securityContext ?? {};
  const uid = sc.runAsUser ?? podSc.runAsUser;
  const gid = sc.runAsGroup ?? podSc.runAsGroup;
  return { ...(uid !== undefined ? { uid } : {}), ...(gid !== undefined ? { gid } : {}) };
}

export function buildContainerConfig(input: ContainerConfigInput): Dockerode.ContainerCreateOptions {
  const { pod, container: c } = input;
  const spec = pod.spec as PodSpec;
  const env = new Map<string, string>(Object.entries(input.defaultEnv));
  for (const [k, v] of input.env) env.set(k, v);
  for (const [k, v] of Object.entries(input.forcedEnv)) env.set(k, v);
  const lookup = (name: string) => env.get(name);

  const { uid, gid } = effectiveUser(pod, c);
  const podSc = spec.securityContext ?? {};
  const groups = [
    ...(podSc.fsGroup !== undefined ? [podSc.fsGroup] : []),
    ...(podSc.supplementalGroups ?? []),
  ].map(String);
  const memory = parseQuantity(c.resources?.limits?.memory);
  const cpu = parseQuantity(c.resources?.limits?.cpu);
  const sc = c.securityContext ?? {};

  const hostConfig: Dockerode.HostConfig = {
    NetworkMode: input.networkMode,
    Binds: input.binds,
    LogConfig: { Type: 'json-file', Config: {} },
    RestartPolicy: { Name: 'no' },
    ...(memory !== undefined ? { Memory: Math.max(MIN_MEMORY, Math.floor(memory)) } : {}),
    ...(cpu !== undefined ? { NanoCpus: Math.max(1e7, Math.floor(cpu * 1e9)) } : {}),
    ...(groups.length > 0 ? { GroupAdd: groups } : {}),
    ...(sc.privileged ? { Privileged: true } : {}),
    ...(sc.readOnlyRootFilesystem ? { ReadonlyRootfs: true } : {}),
    ...(sc.capabilities?.add ? { CapAdd: sc.capabilities.add } : {}),
    ...(sc.capabilities?.drop ? { CapDrop: sc.capabilities.drop } : {}),
    // allowPrivilegeEscalation: false is the runtime's no_new_privs (Kubernetes docs, "Configure a
    // Security Context": "controls whether the no_new_privs flag gets set").
    ...(sc.allowPrivilegeEscalation === false || input.seccomp.length > 0
      ? {
          SecurityOpt: [
            ...(sc.allowPrivilegeEscalation === false ? ['no-new-privileges'] : []),
            ...input.seccomp,
          ],
        }
      : {}),
  };

  return {
    name: input.dockerName,
    Image: c.image,
    ...(c.command ? { Entrypoint: c.command.map((s) => expand(s, lookup)) } : {}),
    ...(c.args ? { Cmd: c.args.map((s) => expand(s, lookup)) } : {}),
    Env: [...env].map(([k, v]) => `${k}=${v}`),
    ...(c.workingDir ? { WorkingDir: c.workingDir } : {}),
    ...(uid !== undefined ? { User: gid !== undefined ? `${uid}:${gid}` : String(uid) } : {}),
    Labels: input.labels,
    Tty: c.tty === true,
    OpenStdin: c.stdin === true,
    StdinOnce: c.stdinOnce === true,
    AttachStdout: false,
    AttachStderr: false,
    StopTimeout: spec.terminationGracePeriodSeconds ?? 30,
    HostConfig: hostConfig,
  };
}
