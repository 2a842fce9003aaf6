import { buildStageScript, cloneFailureReason, scriptSizeProblem } from '@ferry/runner';
import { formatDuration } from '@ferry/shared';
import type Docker from 'dockerode';
import type { ContainerCreateOptions } from 'dockerode';
import type { StageJob, StageResult } from '../executor.js';
import { cloneContainerSpec, cloneStdin, envProblem, stepContainerSpec } from './container-spec.js';
import { DockerOutput } from './docker-output.js';
import { ensureImage, type PullPolicy, runnerImageMissing } from './images.js';
import type { RegistryAuth } from './registry-auth.js';
import { type StopReason, stepResult, stoppedResult } from './stage-result.js';

export interface DockerRunDeps {
  docker: Docker;
  job: StageJob;
  id: string;
  runnerImage: string;
  init: boolean;
  pull: PullPolicy;
  registryAuth?: RegistryAuth;
  killGraceMs: number;
}

interface ContainerEnd {
  ExitCode?: number;
  OOMKilled?: boolean;
  Error?: string;
}

function ignore(): void {}

/**
 * One docker runner at work: the images are checked (and pulled when allowed) before anything
 * runs, then the runner container clones into the volume, then the step container runs the
 * script. Enforces the stage timeout; cancel and timeout stop the running container (SIGTERM,
 * SIGKILL after the grace period), destroy kills it at once.
 */
export class DockerRun {
  readonly output = new DockerOutput();
  readonly result: Promise<StageResult>;
  /** Resolves when no Docker call of this run is in flight any more (destroy waits for it). */
  settled: Promise<void> = Promise.resolve();
  readonly #deps: DockerRunDeps;
  readonly #pulls = new AbortController();
  /**
   * Aborted by destroy: ends the wait for a container. Creates and starts are never aborted: the
   * engine would finish them unseen, and destroy removes what they made by label after `settled`.
   */
  readonly #destroyed = new AbortController();
  #resolve!: (result: StageResult) => void;
  #started = false;
  #finished = false;
  #stop: StopReason | undefined;
  #current: Docker.Container | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(deps: DockerRunDeps) {
    this.#deps = deps;
    this.result = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  get started(): boolean {
    return this.#started;
  }

  start(): void {
    this.#started = true;
    if (this.#stop !== undefined) {
      this.#finish(stoppedResult(this.#stop, this.#deps.job.timeoutMs));
      return;
    }
    this.#timer = setTimeout(() => this.stop('timeout'), this.#deps.job.timeoutMs);
    this.settled = this.#drive().catch((err: Error) => {
      if (this.#stop !== undefined) return this.#finish(stoppedResult(this.#stop, this.#deps.job.timeoutMs));
      this.#fail(`docker: ${err.message}`);
    });
  }

  stop(why: StopReason): void {
    if (this.#finished || this.#stop !== undefined) return;
    this.#stop = why;
    if (why === 'timeout') {
      this.output.system(
        `ferry: the stage timed out after ${formatDuration(this.#deps.job.timeoutMs)}; stopping it`,
      );
    } else if (why === 'canceled') {
      this.output.system('ferry: canceled; stopping the stage');
    }
    this.#pulls.abort();
    if (!this.#started) {
      this.#finish(stoppedResult(why, this.#deps.job.timeoutMs));
      return;
    }
    const container = this.#current;
    if (container === undefined) return;
    if (why === 'destroyed') {
      this.#destroyed.abort();
      container.kill().catch(ignore);
    } else container.stop({ t: Math.ceil(this.#deps.killGraceMs / 1000) }).catch(ignore);
  }

  async #drive(): Promise<void> {
    const { job, docker } = this.#deps;
    const problem = envProblem(job) ?? scriptSizeProblem(buildStageScript(job.script));
    if (problem !== undefined) return this.#fail(problem);

    const checkout = job.checkout !== false;
    const images = checkout ? [this.#deps.runnerImage, job.image] : [job.image];
    for (const image of new Set(images)) {
      const missing = await ensureImage(
        docker,
        image,
        {
          pull: this.#deps.pull,
          ...(this.#deps.registryAuth === undefined ? {} : { auth: this.#deps.registryAuth }),
        },
        this.#pulls.signal,
      );
      if (this.#stop !== undefined) return this.#finishStopped();
      if (missing !== undefined) {
        return this.#fail(image === this.#deps.runnerImage ? runnerImageMissing(image, missing) : missing);
      }
    }

    const options = { runnerImage: this.#deps.runnerImage, init: this.#deps.init };
    if (checkout) {
      const clone = await this.#runContainer(
        cloneContainerSpec(job, this.#deps.id, options),
        cloneStdin(job),
      );
      if (clone === undefined) return this.#finishStopped();
      if (clone.ExitCode !== 0) {
        const reason = cloneFailureReason(clone.ExitCode ?? null);
        this.output.system(`ferry: ${reason}`);
        return this.#finish({ status: 'failed', exitCode: clone.ExitCode ?? -1, reason });
      }
    }
    const step = await this.#runContainer(stepContainerSpec(job, this.#deps.id, options));
    if (step === undefined) return this.#finishStopped();
    this.#finish(stepResult(step, job.resources?.memory));
  }

  /**
   * Creates, starts and waits for one container, writing `stdin` (then closing it) when given;
   * undefined when the run was stopped meanwhile.
   */
  async #runContainer(spec: ContainerCreateOptions, stdin?: string): Promise<ContainerEnd | undefined> {
    const { docker } = this.#deps;
    const container = await docker.createContainer(spec);
    this.#current = container;
    if (this.#stop !== undefined) return undefined;
    // Attached before the start, as `docker run -i` does, so nothing the process reads is missed.
    const input =
      stdin === undefined
        ? undefined
        : ((await container.attach({ stream: true, stdin: true, hijack: true })) as NodeJS.ReadWriteStream);
    input?.on('error', ignore);
    await container.start();
    if (input !== undefined && stdin !== undefined) input.end(stdin);
    this.output.container(container);
    if (this.#stop !== undefined) {
      await container.kill().catch(ignore);
      return undefined;
    }
    await container.wait({ abortSignal: this.#destroyed.signal });
    this.#current = undefined;
    if (this.#stop !== undefined) return undefined;
    const info = await container.inspect();
    return info.State;
  }

  #finishStopped(): void {
    this.#finish(stoppedResult(this.#stop ?? 'canceled', this.#deps.job.timeoutMs));
  }

  #fail(reason: string): void {
    this.output.system(`ferry: ${reason}`);
    this.#finish({ status: 'failed', reason });
  }

  #finish(result: StageResult): void {
    if (this.#finished) return;
    this.#finished = true;
    clearTimeout(this.#timer);
    this.output.close();
    this.#resolve(result);
  }
}
