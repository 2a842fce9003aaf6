import { BuildahSandbox } from '@ferry/runner';
import type { V1Container, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { REGISTRY_AUTH_KEY } from './secret.js';

const STORAGE_VOLUME = 'build-storage';
const AUTH_VOLUME = 'registry-auth';

/**
 * What a buildah build step gets in its pod, and nothing more (docs/release.md, "The build pod"):
 * root with every capability dropped but SETUID, SETGID, SETFCAP (the user namespace's id maps),
 * no privilege escalation, the Localhost seccomp profile that adds unshare/mount/umount2/chroot,
 * an emptyDir for buildah's storage, and the registry auth file from the runner's Secret, read-only.
 * Allowed at the `baseline` Pod Security level. Pure.
 */
export function buildSandbox(
  buildah: { authJson?: string },
  secretName: string,
  seccompProfile: string,
): { container: Partial<V1Container>; volumes: V1Volume[] } {
  const volumes: V1Volume[] = [{ name: STORAGE_VOLUME, emptyDir: {} }];
  const mounts: V1VolumeMount[] = [{ name: STORAGE_VOLUME, mountPath: BuildahSandbox.storageDir }];
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
    },
    volumes,
  };
}
