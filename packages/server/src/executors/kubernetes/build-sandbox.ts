import { BuildahSandbox } from '@ferry/runner';
import { RunnerEnv } from '@ferry/shared';
import type { V1Container, V1EnvVar, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { REGISTRY_AUTH_KEY } from './secret.js';

const STORAGE_VOLUME = 'build-storage';
const IMAGE_TMP_VOLUME = 'build-tmp';
const AUTH_VOLUME = 'registry-auth';
const CACHE_VOLUME = 'build-cache';

/** Where build pods keep buildah's layer storage between builds (`executor.kubernetes.buildCache`). */
export interface BuildCacheSettings {
  /** A PersistentVolumeClaim in the build namespace; each project's slots in its sub-path `p<id>`. */
  claimName: string;
  slots: number;
  maxBytes: number;
}

/** The project's directory of the build cache claim: a sub-path, so its build sees no other project's layers. Pure. */
export function buildCacheSubPath(projectId: number): string {
  return `p${projectId}`;
}

/** The Pod Security level a build pod meets (`executor.kubernetes.buildSandbox`). */
export type BuildSandboxLevel = 'restricted' | 'baseline';

/** The shipped Localhost seccomp profile of a sandbox level, relative to the kubelet's seccomp root. Pure. */
export function defaultBuildSeccompProfile(level: BuildSandboxLevel): string {
  return level === 'restricted' ? BuildahSandbox.rootlessSeccompProfile : BuildahSandbox.seccompProfile;
}

/**
 * What a buildah build step gets in its pod, and nothing more (docs/release.md, "The build pod").
 * `restricted`: the pod's non-root user, every capability dropped, no privilege escalation, a
 * read-only root, the Localhost profile that adds unshare/mount/umount2/chroot and makes setgroups
 * a no-op; buildah's user namespace maps that one id. `baseline`: root with every capability
 * dropped but SETUID, SETGID, SETFCAP (the namespace maps the whole id range), the profile without
 * the no-op. Both: an emptyDir for buildah's storage, and the registry auth file from the runner's
 * Secret, read-only. With a build cache, the project's sub-path of its claim too, and where it is
 * in the env. Pure.
 */
export function buildSandbox(
  buildah: { authJson?: string },
  secretName: string,
  sandbox: { level: BuildSandboxLevel; seccompProfile: string },
  cache?: { settings: BuildCacheSettings; projectId: number },
): { container: Partial<V1Container>; volumes: V1Volume[] } {
  const rootless = sandbox.level === 'restricted';
  const volumes: V1Volume[] = [{ name: STORAGE_VOLUME, emptyDir: {} }];
  const mounts: V1VolumeMount[] = [{ name: STORAGE_VOLUME, mountPath: BuildahSandbox.storageDir }];
  if (rootless) {
    volumes.push({ name: IMAGE_TMP_VOLUME, emptyDir: {} });
    mounts.push({ name: IMAGE_TMP_VOLUME, mountPath: BuildahSandbox.imageTmpDir });
  }
  const env: V1EnvVar[] = [];
  if (cache !== undefined) {
    // The only container mounting it; restricted: the pod's fsGroup makes it the build's to write.
    volumes.push({ name: CACHE_VOLUME, persistentVolumeClaim: { claimName: cache.settings.claimName } });
    mounts.push({
      name: CACHE_VOLUME,
      mountPath: BuildahSandbox.cacheDir,
      subPath: buildCacheSubPath(cache.projectId),
    });
    env.push(
      { name: RunnerEnv.buildCacheDir, value: BuildahSandbox.cacheDir },
      { name: RunnerEnv.buildCacheSlots, value: String(cache.settings.slots) },
      { name: RunnerEnv.buildCacheMaxBytes, value: String(cache.settings.maxBytes) },
    );
  }
  if (buildah.authJson !== undefined) {
    volumes.push({
      name: AUTH_VOLUME,
      secret: {
        secretName,
        items: [{ key: REGISTRY_AUTH_KEY, path: BuildahSandbox.authFileName }],
        // Root's alone at baseline; restricted: the fsGroup's (the pod's non-root user) to read.
        defaultMode: rootless ? 0o440 : 0o400,
      },
    });
    mounts.push({ name: AUTH_VOLUME, mountPath: BuildahSandbox.authDir, readOnly: true });
  }
  const seccompProfile = { type: 'Localhost', localhostProfile: sandbox.seccompProfile };
  return {
    container: {
      securityContext: rootless
        ? {
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
            readOnlyRootFilesystem: true,
            seccompProfile,
          }
        : {
            runAsUser: 0,
            privileged: false,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'], add: [...BuildahSandbox.capabilities] },
            seccompProfile,
          },
      volumeMounts: mounts,
      ...(env.length === 0 ? {} : { env }),
    },
    volumes,
  };
}
