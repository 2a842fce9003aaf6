import type { ResolvedTestJob, StageName } from '@ferry/shared';
import type { LogSink } from '../logs/log-sink.js';

export type { LogSink, LogStream } from '../logs/log-sink.js';

/** Everything an executor needs to run one stage of one pipeline in an ephemeral runner. */
export interface StageJob {
  pipelineId: string;
  stage: StageName;
  /** 1 for the first run; a crash-recovered stage runs with a higher attempt. */
  attempt: number;
  project: { id: number; path: string; cloneUrl: string };
  ref: string;
  sha: string;
  /** The image the stage's commands run in (docker, kubernetes); the local executor ignores it. */
  image: string;
  /**
   * Commands run one after another with `sh -e` semantics, each echoed before it runs.
   * Empty: the runner's own subcommand runs instead (build, deploy).
   */
  script: string[];
  /** Plain environment variables (FERRY_* placeholders, the spec's env). */
  env: Readonly<Record<string, string>>;
  /**
   * Secret environment variables (registry password, kubeconfig): masked in the log, never logged.
   * `FERRY_CLONE_TOKEN` (and `FERRY_CLONE_USER`) reach only the clone step, never the commands.
   */
  secretEnv: Readonly<Record<string, string>>;
  timeoutMs: number;
  resources?: { cpu?: string; memory?: string };
  /** Clone the commit into the workspace before the commands run (default true). */
  checkout?: boolean;
  /**
   * The stage needs a Docker daemon (build): the docker executor mounts this host socket into the
   * step container; the others pass `DOCKER_HOST` from `env` through.
   */
  dockerSocket?: string;
  /**
   * The stage builds with buildah (build stage, `build.builder: buildah`): the executor runs the
   * step in the build sandbox (BuildahSandbox: capabilities, seccomp profile, a storage volume)
   * and mounts `authJson` (a secret: the registry credential as containers-auth.json) read-only
   * at REGISTRY_AUTH_FILE, never as an environment variable.
   */
  buildah?: { authJson?: string };
  /**
   * The Ferry installation that owns the runner (its Redis key prefix): recorded on the runner so
   * that `list` (and so the reaper) of one installation never sees another's runners on a shared
   * Docker host or cluster.
   */
  owner?: string;
  /**
   * Containers beside the commands sharing their network namespace, reachable at 127.0.0.1:<port>
   * (docker: a per-runner namespace; kubernetes: sidecars). The local executor refuses a job with
   * services. The commands start only when every service's `readyTcp` port accepts.
   */
  services?: readonly ServiceJob[];
  /** The job's dependency cache: restored after the clone, saved after a passing job when `save`. */
  cache?: CacheJob;
  /**
   * The test job this runner runs (test stage only): its name, `reports` (the script's exit trap
   * prints the files, see stage-script.ts) and `coverage` (read from the log by the stage runner).
   * Its services and cache are `services` and `cache` above; image, script, env, resources and
   * timeout are already the job's.
   */
  testJob?: Pick<ResolvedTestJob, 'name' | 'reports' | 'coverage'>;
}

/** One service of a job (spec `services`). */
export interface ServiceJob {
  /** DNS-label name, unique in the job: container names and log sections. */
  name: string;
  image: string;
  env: Readonly<Record<string, string>>;
  /** Arguments replacing the image's command (Docker `Cmd`, Kubernetes `args`); absent: the image's. */
  command?: readonly string[];
  /** The port on 127.0.0.1 that must accept TCP connections before the commands start. */
  readyTcp?: number;
  /** How long the services may take to become ready, all together. */
  readyTimeoutMs: number;
}

/** A job's cache (spec `cache`): kept per project and name, keyed by the key files' contents. */
export interface CacheJob {
  /** The job's name: caches of two jobs of a project never mix. */
  name: string;
  /** Files in the workspace whose contents make the key (package-lock.json). */
  keyFiles: readonly string[];
  /** Paths in the workspace kept in the cache (node_modules, .npm). */
  paths: readonly string[];
  /** false: restore only. A fork merge request pipeline never writes the cache. */
  save: boolean;
}

/** An executor's handle on a prepared runner: opaque to the orchestrator, stored for recovery. */
export interface RunnerHandle {
  /** Stable id (process group, container name, pod name), enough for `destroy` after a restart. */
  id: string;
}

export interface StageResult {
  status: 'success' | 'failed' | 'canceled';
  exitCode?: number;
  /** For people: "exit code 1", "OOMKilled", "ImagePullBackOff: …", "Unschedulable: …". */
  reason?: string;
  /** The runner never started: it stayed pending (unschedulable, quota, image pull) this long. */
  pendingTooLong?: { waitedMs: number; reason: string; events: string[] };
}

/**
 * How a runner that no executor in this process drives ended (asked on recovery, after a crash):
 * `finished` when it ran to its end (its output was written into the sink), otherwise why not
 * (still running, never started, gone).
 */
export type RunnerEnd = { finished: true; result: StageResult } | { finished: false; why: string };

/** A runner Ferry created, as found by listing (the reaper). */
export interface RunnerInfo {
  id: string;
  pipelineId: string;
  stage: string;
  createdAt?: Date;
}

/**
 * One seam, three implementations (local, docker, kubernetes) in sibling folders that never import
 * each other. Every call takes an AbortSignal. Whatever happens, `destroy` leaves nothing behind.
 */
export interface Executor {
  readonly kind: string;
  /** Creates the runner's resources (workspace, volume, pod) without running the commands. */
  prepare(job: StageJob, signal: AbortSignal): Promise<RunnerHandle>;
  /** Starts the runner: clone, then the commands. */
  start(handle: RunnerHandle, signal: AbortSignal): Promise<void>;
  /**
   * Streams the runner's output into `sink` until the runner ends (or `signal` aborts). Call it
   * together with `wait`: a runner may block on full pipes while nobody tails it.
   */
  tail(handle: RunnerHandle, sink: LogSink, signal: AbortSignal): Promise<void>;
  /** Waits for the runner's end and says how it ended. */
  wait(handle: RunnerHandle, signal: AbortSignal): Promise<StageResult>;
  /** Stops the runner now (cancel, timeout); `wait` then resolves. */
  cancel(handle: RunnerHandle, signal: AbortSignal): Promise<void>;
  /** Removes everything the runner had; absent runners are fine (idempotent). */
  destroy(handle: RunnerHandle, signal: AbortSignal): Promise<void>;
  /**
   * Asks the engine how a runner an earlier Ferry started ends (its process, container or pod,
   * never this executor's memory): a finished one writes its whole output into `sink` and gives
   * its result; a running one is followed to its end first (never killed and run again: its
   * script may be past its last side effect), until `signal` aborts, which rejects; one that never
   * started or is gone is reported unfinished and left as it is (the caller destroys it).
   */
  adopt(handle: RunnerHandle, sink: LogSink, signal: AbortSignal): Promise<RunnerEnd>;
  /** Every runner this executor created that still exists (for the reaper). */
  list(signal: AbortSignal): Promise<RunnerInfo[]>;
}
