import { DEFAULT_CACHE_MAX_BYTES } from '@ferry/runner';
import { ExecutorErrors, FerryError } from '@ferry/shared';
import Docker from 'dockerode';
import { abortable } from '../../abort/abortable.js';
import type {
  Executor,
  LogSink,
  RunnerEnd,
  RunnerHandle,
  RunnerInfo,
  StageJob,
  StageResult,
} from '../executor.js';
import { LiveRuns } from '../live-runs.js';
import { shippedBuildSeccompProfile } from './build-seccomp-profile.js';
import { cacheVolumeSpec } from './cache-specs.js';
import { volumeSpec } from './container-spec.js';
import type { DockerExecutorOptions } from './docker-executor-options.js';
import { DockerRun } from './docker-run.js';
import { followContainerLogs } from './follow-logs.js';
import { Label, runnerFilter } from './labels.js';
import { buildCacheVolumeSpec } from './project-volumes.js';
import { dockerRunnerId, isDockerRunnerId } from './runner-names.js';
import { stepResult } from './stage-result.js';

function statusOf(err: unknown): number | undefined {
  return (err as { statusCode?: number }).statusCode;
}

/**
 * The `docker` executor: per runner a named volume (the workspace), a runner container that
 * clones into it and a step container running the stage image on it, all labelled
 * `ferry.managed=1` with the pipeline, stage, project, sha and attempt. `destroy` removes the
 * containers and the volume whatever happened; `list` finds them by label after a restart.
 */
export class DockerExecutor implements Executor {
  readonly kind = 'docker';
  readonly #docker: Docker;
  readonly #socketPath: string;
  readonly #options: DockerExecutorOptions;
  readonly #runs = new LiveRuns<DockerRun>('docker');

  constructor(options: DockerExecutorOptions) {
    this.#socketPath = options.socketPath ?? '/var/run/docker.sock';
    this.#docker = options.docker ?? new Docker({ socketPath: this.#socketPath });
    this.#options = options;
  }

  async prepare(job: StageJob, signal: AbortSignal): Promise<RunnerHandle> {
    signal.throwIfAborted();
    const id = dockerRunnerId(job);
    try {
      await this.#docker.createVolume({ ...volumeSpec(job, id), abortSignal: signal });
      // The project's cache volume outlives runners; creating an existing volume is a no-op.
      if (job.cache !== undefined)
        await this.#docker.createVolume({ ...cacheVolumeSpec(job), abortSignal: signal });
      if (job.buildah !== undefined && this.#options.buildCache !== undefined)
        await this.#docker.createVolume({ ...buildCacheVolumeSpec(job), abortSignal: signal });
    } catch (err) {
      throw this.#engineError(err);
    }
    this.#runs.add(
      id,
      new DockerRun({
        docker: this.#docker,
        job,
        id,
        runnerImage: this.#options.runnerImage,
        init: this.#options.init ?? true,
        pull: this.#options.pull ?? 'if-missing',
        ...(this.#options.registryAuth === undefined ? {} : { registryAuth: this.#options.registryAuth }),
        killGraceMs: this.#options.killGraceMs ?? 2_000,
        cacheMaxBytes: this.#options.cacheMaxBytes ?? DEFAULT_CACHE_MAX_BYTES,
        buildSeccompProfile: this.#options.buildSeccompProfile ?? shippedBuildSeccompProfile(),
        ...(this.#options.buildCache === undefined ? {} : { buildCache: this.#options.buildCache }),
      }),
    );
    return { id };
  }

  async start(handle: RunnerHandle, signal: AbortSignal): Promise<void> {
    this.#runs.start(handle, signal);
  }

  async tail(handle: RunnerHandle, sink: LogSink, signal: AbortSignal): Promise<void> {
    return this.#runs.tail(handle, sink, signal);
  }

  async wait(handle: RunnerHandle, signal: AbortSignal): Promise<StageResult> {
    return this.#runs.wait(handle, signal);
  }

  async cancel(handle: RunnerHandle, signal: AbortSignal): Promise<void> {
    const run = this.#runs.get(handle.id);
    if (run !== undefined) return run.stop('canceled');
    // A runner from before a restart: nothing waits on it, so kill its containers at once.
    if (!isDockerRunnerId(handle.id)) return;
    for (const container of await this.#containers(handle.id, signal)) {
      await this.#docker
        .getContainer(container.Id)
        .kill({ abortSignal: signal })
        .catch((err: unknown) => {
          if (statusOf(err) !== 404 && statusOf(err) !== 409) throw err;
        });
    }
  }

  async destroy(handle: RunnerHandle, signal: AbortSignal): Promise<void> {
    if (!isDockerRunnerId(handle.id)) return;
    const run = this.#runs.get(handle.id);
    if (run !== undefined) {
      run.stop('destroyed');
      // Let a create or start in flight land, so what it makes is removed below.
      await abortable(run.settled, AbortSignal.any([signal, AbortSignal.timeout(10_000)])).catch(() => {});
    }
    for (const container of await this.#containers(handle.id, signal)) {
      await this.#docker
        .getContainer(container.Id)
        .remove({ force: true, v: true, abortSignal: signal })
        .catch((err: unknown) => {
          if (statusOf(err) !== 404 && statusOf(err) !== 409) throw err;
        });
    }
    await this.#removeVolume(handle.id, signal);
    this.#runs.delete(handle.id);
  }

  async adopt(handle: RunnerHandle, sink: LogSink, signal: AbortSignal): Promise<RunnerEnd> {
    if (!isDockerRunnerId(handle.id)) return { finished: false, why: 'not a docker runner id' };
    const containers = await this.#containers(handle.id, signal);
    const step = containers.find((c) => c.Labels?.[Label.role] === 'step');
    if (step === undefined) return { finished: false, why: 'its step container was never created' };
    const container = this.#docker.getContainer(step.Id);
    let state = (await container.inspect({ abortSignal: signal })).State;
    if (state.Status === 'running' || state.Status === 'restarting') {
      // Still running (its Ferry died or stalled): followed to its end, never killed and run again.
      await abortable(container.wait({ condition: 'not-running', abortSignal: signal }), signal);
      state = (await container.inspect({ abortSignal: signal })).State;
    }
    // Created but never started, paused, or running on: not an end.
    if (state.Status !== 'exited' && state.Status !== 'dead')
      return { finished: false, why: `its step container is ${state.Status}` };
    // The clone's log, then the step's (the engine keeps both until destroy removes them).
    for (const role of ['clone', 'step']) {
      const container = containers.find((c) => c.Labels?.[Label.role] === role);
      if (container !== undefined)
        await followContainerLogs(
          this.#docker.getContainer(container.Id),
          sink,
          { stdout: 0, stderr: 0 },
          signal,
        );
    }
    return { finished: true, result: stepResult(state) };
  }

  async list(signal: AbortSignal): Promise<RunnerInfo[]> {
    const filters = runnerFilter(undefined, this.#options.owner);
    const [containers, volumes] = await Promise.all([
      this.#docker.listContainers({ all: true, filters, abortSignal: signal }),
      this.#docker.listVolumes({ filters, abortSignal: signal }),
    ]);
    const runners = new Map<string, RunnerInfo>();
    const add = (labels: Record<string, string> | undefined, createdAt: Date | undefined) => {
      const id = labels?.[Label.runner];
      if (id === undefined || !isDockerRunnerId(id)) return;
      const known = runners.get(id);
      const info: RunnerInfo = {
        id,
        pipelineId: labels?.[Label.pipeline] ?? '',
        stage: labels?.[Label.stage] ?? '',
      };
      const earliest =
        createdAt === undefined || (known?.createdAt !== undefined && known.createdAt < createdAt)
          ? known?.createdAt
          : createdAt;
      if (earliest !== undefined) info.createdAt = earliest;
      runners.set(id, info);
    };
    for (const volume of volumes.Volumes ?? []) {
      const created = (volume as { CreatedAt?: string }).CreatedAt;
      add(volume.Labels ?? undefined, created === undefined ? undefined : new Date(created));
    }
    for (const container of containers) add(container.Labels, new Date(container.Created * 1000));
    return [...runners.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  #containers(id: string, signal: AbortSignal) {
    return this.#docker.listContainers({ all: true, filters: runnerFilter(id), abortSignal: signal });
  }

  /** Removes the volume; a container that is still letting go of it gets a moment. */
  async #removeVolume(id: string, signal: AbortSignal): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#docker.getVolume(id).remove({ abortSignal: signal });
        return;
      } catch (err) {
        if (statusOf(err) === 404) return;
        if (statusOf(err) !== 409 || attempt >= 20) throw err;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  #engineError(err: unknown): unknown {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'EACCES') {
      return new FerryError(
        ExecutorErrors.EXECUTOR_ENGINE_UNREACHABLE,
        { socketPath: this.#socketPath, reason: code },
        { cause: err },
      );
    }
    return err;
  }
}
