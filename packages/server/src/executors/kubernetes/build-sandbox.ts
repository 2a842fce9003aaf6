import { BuildahSandbox } from '@ferry/runner';
import { RunnerEnv } from '@ferry/shared';
import type { V1Container, V1EnvVar, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { REGISTRY_AUTH_KEY } from './secret.js';

const STORAGE_VOLUME = 'build-storage';
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

/**
 * What a buildah build step gets in its pod, and nothing more (docs/release.md, "The build pod"):
 * root with every capability dropped but SETUID, SETGID, SETFCAP (the user namespace's id maps),
 * no privilege escalation, the Localhost seccomp profile that adds unshare/mount/umount2/chroot,
 * an emptyDir for buildah's storage, and the registry auth file from the runner's Secret, read-only.
 * With a build cache, the project's sub-path of its claim too, and where it is in the env.
 * Allowed at the `baseline` Pod Security level. Pure.
 */
export function buildSandbox(
  buildah: { authJson?: string },
  secretName: string,
  seccompProfile: string,
  cache?: { settings: BuildCacheSettings; projectId: number },
): { container: Partial<V1Container>; volumes: V1Volume[] } {
  const volumes: V1Volume[] = [{ name: STORAGE_VOLUME, emptyDir: {} }];
  const mounts: V1VolumeMount[] = [{ name: STORAGE_VOLUME, mountPath: BuildahSandbox.storageDir }];
  const env: V1EnvVar[] = [];
  if (cache !== undefined) {
    // Root-owned sub-path: the build step is root in its sandbox, the only container mounting it.
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
        defaultMode: 0o400,
      },
    });
    mounts.push({ name: AUTH_VOLUME, mountPath: BuildahSandbox.authDir, readOnly: true });
  }
  return {
    container: {
      securityContext: {
        runAsUser: 0,
        privileged: false,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'], add: [...BuildahSandbox.capabilities] },
        seccompProfile: { type: 'Localhost', localhostProfile: seccompProfile },
      },
      volumeMounts: mounts,
      ...(env.length === 0 ? {} : { env }),
    },
    volumes,
  };
}
