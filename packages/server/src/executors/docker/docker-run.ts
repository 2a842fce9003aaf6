import { buildStageScript, cloneFailureReason, scriptSizeProblem } from '@ferry/runner';
import type Docker from 'dockerode';
import type { ContainerCreateOptions } from 'dockerode';
import type { StageJob } from '../executor.js';
import { StageRun, type StopReason } from '../stage-run.js';
import { cloneContainerSpec, cloneStdin, envProblem, stepContainerSpec } from './container-spec.js';
import { DockerOutput } from './docker-output.js';
import { ensureImage, type PullPolicy, runnerImageMissing } from './images.js';
import type { RegistryAuth } from './registry-auth.js';
import { stepResult } from './stage-result.js';

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
 * script. Cancel and timeout stop the running container (SIGTERM, SIGKILL after the grace period),
 * destroy kills it at once.
 */
export class DockerRun extends StageRun<DockerOutput> {
  readonly #deps: DockerRunDeps;
  readonly #pulls = new AbortController();
  /**
   * Aborted by destroy: ends the wait for a container. Creates and starts are never aborted: the
   * engine would finish them unseen, and destroy removes what they made by label after `settled`.
   */
  readonly #destroyed = new AbortController();
  #current: Docker.Container | undefined;

  constructor(deps: DockerRunDeps) {
    super(new DockerOutput(), deps.job.timeoutMs);
    this.#deps = deps;
  }

  protected halt(why: StopReason): void {
    this.#pulls.abort();
    const container = this.#current;
    if (container === undefined) return;
    if (why === 'destroyed') {
      this.#destroyed.abort();
      container.kill().catch(ignore);
    } else container.stop({ t: Math.ceil(this.#deps.killGraceMs / 1000) }).catch(ignore);
  }

  protected failure(err: Error): string {
    return `docker: ${err.message}`;
  }

  protected async drive(): Promise<void> {
    const { job, docker } = this.#deps;
    const problem = envProblem(job) ?? scriptSizeProblem(buildStageScript(job.script));
    if (problem !== undefined) return this.fail(problem);

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
      if (this.stopReason !== undefined) return this.finishStopped();
      if (missing !== undefined) {
        return this.fail(image === this.#deps.runnerImage ? runnerImageMissing(image, missing) : missing);
      }
    }

    const options = { runnerImage: this.#deps.runnerImage, init: this.#deps.init };
    if (checkout) {
      const clone = await this.#runContainer(
        cloneContainerSpec(job, this.#deps.id, options),
        cloneStdin(job),
      );
      if (clone === undefined) return this.finishStopped();
      if (clone.ExitCode !== 0) {
        const reason = cloneFailureReason(clone.ExitCode ?? null);
        this.output.system(`ferry: ${reason}`);
        return this.finish({ status: 'failed', exitCode: clone.ExitCode ?? -1, reason });
      }
    }
    const step = await this.#runContainer(stepContainerSpec(job, this.#deps.id, options));
    if (step === undefined) return this.finishStopped();
    this.finish(stepResult(step, job.resources?.memory));
  }

  /**
   * Creates, starts and waits for one container, writing `stdin` (then closing it) when given;
   * undefined when the run was stopped meanwhile.
   */
  async #runContainer(spec: ContainerCreateOptions, stdin?: string): Promise<ContainerEnd | undefined> {
    const { docker } = this.#deps;
    const container = await docker.createContainer(spec);
    this.#current = container;
    if (this.stopReason !== undefined) return undefined;
    // Attached before the start, as `docker run -i` does, so nothing the process reads is missed.
    const input =
      stdin === undefined
        ? undefined
        : ((await container.attach({ stream: true, stdin: true, hijack: true })) as NodeJS.ReadWriteStream);
    input?.on('error', ignore);
    await container.start();
    if (input !== undefined && stdin !== undefined) input.end(stdin);
    this.output.container(container);
    if (this.stopReason !== undefined) {
      await container.kill().catch(ignore);
      return undefined;
    }
    await container.wait({ abortSignal: this.#destroyed.signal });
    this.#current = undefined;
    if (this.stopReason !== undefined) return undefined;
    const info = await container.inspect();
    return info.State;
  }
}
