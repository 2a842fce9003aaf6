/**
 * What a container running the buildah builder needs, and nothing more (docs/release.md, "The
 * build pod"): the executors (kubernetes pod spec, docker container) build their settings from
 * this one description. Found by trials on the real engine: each item taken away fails the build.
 */
export const BuildahSandbox = {
  /** Added to `drop: [ALL]`: writing the user namespace's uid/gid maps (uid 0 needs SETFCAP). */
  capabilities: ['SETUID', 'SETGID', 'SETFCAP'] as const,
  /** The Localhost seccomp profile (deploy/seccomp/ferry-build.json), relative to the kubelet's seccomp root. */
  seccompProfile: 'ferry-build.json',
  /** buildah's storage: a volume (overlayfs cannot sit on the container's own overlay root). */
  storageDir: '/var/lib/containers',
  /**
   * Where the project's part of the build cache is mounted when one is configured
   * (FERRY_BUILD_CACHE_DIR): slots of buildah storage that outlive the pod, one build each at a time.
   */
  cacheDir: '/var/lib/ferry-build-cache',
  /** Where the registry credential is mounted (REGISTRY_AUTH_FILE). */
  authDir: '/run/ferry/registry',
  authFileName: 'auth.json',
} as const;

/** REGISTRY_AUTH_FILE inside the builder's container. */
export const BUILDAH_AUTH_FILE = `${BuildahSandbox.authDir}/${BuildahSandbox.authFileName}`;
