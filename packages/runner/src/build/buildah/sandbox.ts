/**
 * What a container running the buildah builder needs, and nothing more (docs/release.md, "The
 * build pod"): the executors (kubernetes pod spec, docker container) build their settings from
 * this one description. Found by trials on the real engine: each item taken away fails the build.
 * Two sandboxes: `restricted` (non-root, no capability, one id in buildah's user namespace) and
 * `baseline` (root with SETUID/SETGID/SETFCAP, the container's whole id range mapped).
 */
export const BuildahSandbox = {
  /** `baseline`, added to `drop: [ALL]`: writing the user namespace's uid/gid maps (uid 0 needs SETFCAP). */
  capabilities: ['SETUID', 'SETGID', 'SETFCAP'] as const,
  /** `baseline`: the Localhost seccomp profile (deploy/seccomp/ferry-build.json), relative to the kubelet's seccomp root. */
  seccompProfile: 'ferry-build.json',
  /**
   * `restricted`: deploy/seccomp/ferry-build-rootless.json, the same profile with setgroups(2) a
   * no-op that succeeds (buildah 1.28 calls it before every RUN; a one-id namespace refuses it).
   */
  rootlessSeccompProfile: 'ferry-build-rootless.json',
  /** `restricted`: containers/image writes big temporary files here whatever TMPDIR says: a volume under a read-only root. */
  imageTmpDir: '/var/tmp',
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
