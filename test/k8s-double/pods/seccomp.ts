/**
 * The kubelet's seccomp handling, as Docker security options. Kubernetes 1.30
 * (pkg/kubelet/kuberuntime/security_context.go, helpers.go `getSeccompProfile`): the container's
 * `securityContext.seccompProfile` wins over the pod's; `Localhost` names a file relative to the
 * kubelet's seccomp root (`<root-dir>/seccomp`), which the runtime loads; a missing file fails the
 * container at creation (containerd: `cannot load seccomp profile "<path>": open <path>: no such
 * file or directory`); `Unconfined` runs without a filter; `RuntimeDefault` (and, in this double
 * as with a kubelet started with `--seccomp-default`, no profile) the runtime's default.
 * Docker takes a profile's JSON text in `SecurityOpt: ["seccomp=<json>"]` (what `docker run
 * --security-opt seccomp=FILE` sends).
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, normalize } from 'node:path';
import type { Container, PodSpec } from '../api/kinds/pod-spec.js';
import type { KubeObject } from '../types.js';

export type SeccompOption = { ok: true; securityOpt: string[] } | { ok: false; message: string };

export async function seccompOption(
  pod: KubeObject,
  c: Container,
  seccompRoot: string,
): Promise<SeccompOption> {
  const profile = c.securityContext?.seccompProfile ?? (pod.spec as PodSpec).securityContext?.seccompProfile;
  if (profile === undefined || profile.type === 'RuntimeDefault') return { ok: true, securityOpt: [] };
  if (profile.type === 'Unconfined') return { ok: true, securityOpt: ['seccomp=unconfined'] };
  const name = profile.localhostProfile ?? '';
  const path = join(seccompRoot, normalize(name));
  if (name === '' || isAbsolute(name) || !path.startsWith(seccompRoot))
    return {
      ok: false,
      message: `cannot load seccomp profile "${path}": invalid localhostProfile "${name}"`,
    };
  try {
    return { ok: true, securityOpt: [`seccomp=${await readFile(path, 'utf8')}`] };
  } catch (err) {
    return {
      ok: false,
      message: `failed to create containerd container: cannot load seccomp profile "${path}": open ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`,
    };
  }
}
