import type Docker from 'dockerode';
import type { PullPolicy } from './images.js';
import type { BuildCacheSlots } from './project-volumes.js';
import type { RegistryAuth } from './registry-auth.js';

export interface DockerExecutorOptions {
  /** The engine's socket (config `executor.docker.socketPath`); ignored when `docker` is given. */
  socketPath?: string;
  /** A client of the engine (tests pass theirs). */
  docker?: Docker;
  /** The image with `ferry-runner` that clones (config `executor.docker.runnerImage`). */
  runnerImage: string;
  /** Pull an image missing on the host (default `if-missing`) or fail the stage at once (`never`). */
  pull?: PullPolicy;
  /** Credentials for pulls from the private registry (config `registry`). */
  registryAuth?: RegistryAuth;
  /** Between SIGTERM and SIGKILL on cancel and timeout (default 2 s). */
  killGraceMs?: number;
  /** Only runners of this owner (StageJob.owner) are listed, so reaped; default: every Ferry runner. */
  owner?: string;
  /** Run docker-init as PID 1 of each container (default true). */
  init?: boolean;
  /** Size cap of each project's cache volume (config `executor.docker.cacheMaxSize`; default 2 GiB). */
  cacheMaxBytes?: number;
  /**
   * The seccomp profile file of buildah build containers (config `executor.docker.buildSeccompProfile`;
   * default: deploy/seccomp/ferry-build.json of this Ferry, see build-seccomp-profile.ts).
   */
  buildSeccompProfile?: string;
  /**
   * Keep buildah's storage between builds in a volume per project (config `executor.docker.buildCache`);
   * unset: each build starts with empty storage.
   */
  buildCache?: BuildCacheSlots;
}
