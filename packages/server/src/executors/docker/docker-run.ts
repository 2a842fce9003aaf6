import { authFileArchive, cloneFailureReason, scriptSizeProblem } from '@ferry/runner';
import type Docker from 'dockerode';
import type { ContainerCreateOptions } from 'dockerode';
import type { StageJob } from '../executor.js';
import { StageRun, type StopReason } from '../stage-run.js';
import { stageScript } from '../stage-script.js';
import { readBuildSeccompProfile } from './build-seccomp-profile.js';
import { cacheContainerSpec } from './cache-specs.js';
import {
  type ContainerSpecOptions,
  cloneContainerSpec,
  cloneStdin,
  envProblem,
  stepContainerSpec,
} from './container-spec.js';
import { DockerOutput } from './docker-output.js';
import { ensureImage, type PullPolicy, runnerImageMissing } from './images.js';
import type { BuildCacheSlots } from './project-volumes.js';
import type { RegistryAuth } from './registry-auth.js';
import { lastLogLines } from './service-logs.js';
import { netContainerSpec, serviceContainerSpec, sharedNetwork, waitContainerSpec } from './service-specs.js';
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
  /** Size cap of a project's cache volume. */
  cacheMaxBytes: number;
  /** The seccomp profile file of a buildah build step. */
  buildSeccompProfile: string;
  /** Keep a buildah build's storage in its project's volume (`executor.docker.buildCache`). */
  buildCache?: BuildCacheSlots;
}

interface ContainerEnd {
  ExitCode?: number;
  OOMKilled?: boolean;
  Error?: string;
}

function ignore(): void {}

/** A promise's outcome as a value: awaited later (or only for its end), it is never an unhandled rejection. */
function settle<T>(promise: Promise<T>): Promise<{ value: T } | { err: unknown }> {
  return promise.then(
    (value) => ({ value }),
    (err: unknown) => ({ err }),
  );
}

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
  /** The containers running now (the readiness wait runs beside the clone and the restore). */
  readonly #current = new Set<Docker.Container>();
  /** The namespace holder and the services: they run beside the steps and are stopped with them. */
  readonly #beside: { name: string; container: Docker.Container }[] = [];

  constructor(deps: DockerRunDeps) {
    super(new DockerOutput(), deps.job.timeoutMs);
    this.#deps = deps;
  }

  protected halt(why: StopReason): void {
    this.#pulls.abort();
    void this.#killBeside();
    if (why === 'destroyed') this.#destroyed.abort();
    for (const container of this.#current) {
      if (why === 'destroyed') container.kill().catch(ignore);
      else container.stop({ t: Math.ceil(this.#deps.killGraceMs / 1000) }).catch(ignore);
    }
  }

  protected failure(err: Error): string {
    return `docker: ${err.message}`;
  }

  protected async drive(): Promise<void> {
    const { job, docker } = this.#deps;
    const problem = envProblem(job) ?? scriptSizeProblem(stageScript(job));
    if (problem !== undefined) return this.fail(problem);

    const checkout = job.checkout !== false;
    const services = job.services ?? [];
    const needsRunner = checkout || services.length > 0 || job.cache !== undefined;
    const images = [
      ...(needsRunner ? [this.#deps.runnerImage] : []),
      job.image,
      ...services.map((s) => s.image),
    ];
    // Checked side by side: each is one engine round trip when the image is there (the usual case).
    const checks = await Promise.all(
      [...new Set(images)].map(async (image) => ({
        image,
        missing: await ensureImage(
          docker,
          image,
          {
            pull: this.#deps.pull,
            ...(this.#deps.registryAuth === undefined ? {} : { auth: this.#deps.registryAuth }),
          },
          this.#pulls.signal,
        ),
      })),
    );
    if (this.stopReason !== undefined) return this.finishStopped();
    for (const { image, missing } of checks) {
      if (missing !== undefined) {
        return this.fail(image === this.#deps.runnerImage ? runnerImageMissing(image, missing) : missing);
      }
    }

    const options = { runnerImage: this.#deps.runnerImage, init: this.#deps.init };
    const network = services.length > 0 ? sharedNetwork(this.#deps.id) : 'host';
    let stepOptions: ContainerSpecOptions = options;
    let prepare: ((c: Docker.Container) => Promise<void>) | undefined;
    if (job.buildah !== undefined) {
      const profile = await readBuildSeccompProfile(this.#deps.buildSeccompProfile);
      if ('problem' in profile) return this.fail(profile.problem);
      stepOptions = {
        ...options,
        buildSeccompProfile: profile.json,
        ...(this.#deps.buildCache === undefined ? {} : { buildCache: this.#deps.buildCache }),
      };
      const authJson = job.buildah.authJson;
      // The registry credential as a root-only file in the created container, never its environment.
      if (authJson !== undefined)
        prepare = async (c) => {
          await c.putArchive(await authFileArchive(authJson), { path: '/' });
        };
    }
    const stepSpec = stepContainerSpec(job, this.#deps.id, stepOptions, network);
    // Without services the step container needs nothing that runs before it to be created (its
    // volume exists, its network is the host's): it is created while the clone runs and started
    // after it, as before. With services it joins their namespace, so it is created once they run.
    const early = services.length === 0 ? settle(docker.createContainer(stepSpec)) : undefined;
    try {
      return await this.#driveFrom(
        services.length,
        checkout,
        options,
        async () => {
          if (early === undefined) return docker.createContainer(stepSpec);
          const created = await early;
          if ('err' in created) throw created.err;
          return created.value;
        },
        prepare,
      );
    } finally {
      // A step container created for a run that ended sooner (a failed clone, a stop) exists before
      // drive settles, so destroy (which waits for that) finds it by its labels and removes it.
      await early;
    }
  }

  async #driveFrom(
    serviceCount: number,
    checkout: boolean,
    options: ContainerSpecOptions,
    createStep: () => Promise<Docker.Container>,
    prepare: ((c: Docker.Container) => Promise<void>) | undefined,
  ): Promise<void> {
    const { job } = this.#deps;
    // The services and their readiness wait need no workspace: they start and are waited for while
    // the clone and the cache restore run, so neither waits for the other (issue 17, bench:test-cache).
    const wait = { abandoned: false };
    const ready =
      serviceCount > 0
        ? this.#launchServices().then(
            (stopped) => stopped ?? this.#awaitServices(wait),
            (err: Error) => `cannot start the services: ${err.message}`,
          )
        : undefined;
    // Awaited below (a failing wait fails the run there); meanwhile its rejection is not unhandled.
    ready?.catch(ignore);
    if (checkout) {
      const cloned = await this.#runContainer(
        cloneContainerSpec(job, this.#deps.id, options),
        cloneStdin(job),
      );
      const clone = cloned?.state;
      if (clone === undefined) return this.#finishStopped(ready);
      if (clone.ExitCode !== 0) {
        const reason = cloneFailureReason(clone.ExitCode ?? null);
        this.output.system(`ferry: ${reason}`);
        wait.abandoned = true;
        await this.#killBeside();
        // The wait, abandoned, may fail to start at all in the namespace just killed (HTTP 409): the
        // clone's failure is the job's, whatever the abandoned wait met.
        await ready?.catch(ignore);
        await this.#stopServices();
        return this.finish({ status: 'failed', exitCode: clone.ExitCode ?? -1, reason });
      }
    }
    if (!(await this.#cache('restore'))) return this.#finishStopped(ready);
    if (ready !== undefined) {
      const problem = await ready;
      if (problem === 'stopped') return this.#finishStopped();
      if (problem !== undefined) {
        await this.#stopServices();
        return this.fail(problem);
      }
    }
    const step = await this.#track(await createStep(), (c) => this.#runCreated(c, undefined, prepare));
    if (step === undefined) return this.#finishStopped();
    await this.#stopServices();
    const result = stepResult(step.state, job.resources?.memory);
    if (result.status === 'success' && job.cache?.save === true && !(await this.#cache('save'))) {
      return this.finishStopped();
    }
    if (result.status === 'success' && job.cache !== undefined && !job.cache.save) {
      this.output.system(
        'ferry: cache not saved: this pipeline may not write the cache (a fork merge request)',
      );
    }
    this.finish(result);
  }

  /** Kills the services and their namespace holder (cancel, timeout, destroy). */
  async #killBeside(): Promise<void> {
    await Promise.all(
      this.#beside.map(({ container }) =>
        container.kill().catch((err: unknown) => {
          const status = (err as { statusCode?: number }).statusCode;
          if (status !== 404 && status !== 409)
            this.output.system(`ferry: cannot kill a service: ${(err as Error).message}`);
        }),
      ),
    );
  }

  /**
   * Ends a stopped run once no service runs any more: a canceled job leaves none behind (after
   * their launch, when it was still under way).
   */
  async #finishStopped(launched?: Promise<unknown>): Promise<void> {
    await launched;
    await this.#killBeside();
    this.finishStopped();
  }

  /** Runs a cache action of the job's cache, if it has one; false when the run was stopped. */
  async #cache(action: 'restore' | 'save'): Promise<boolean> {
    const { job, id } = this.#deps;
    if (job.cache === undefined) return true;
    const options = {
      runnerImage: this.#deps.runnerImage,
      init: this.#deps.init,
      cacheMaxBytes: this.#deps.cacheMaxBytes,
    };
    const ran = await this.#runContainer(cacheContainerSpec(job, id, job.cache, action, options));
    if (ran === undefined) return false;
    const end = ran.state;
    // `ferry-runner cache` says what happened itself; anything else is a miss, never a failure.
    if (end.ExitCode !== 0)
      this.output.system(`ferry: cache ${action} ended with exit code ${end.ExitCode}; going on without`);
    return true;
  }

  /**
   * Creates and starts the namespace holder and the services (each kept in #beside as soon as it
   * exists, so a stop kills it). Undefined when they run, or 'stopped'.
   */
  async #launchServices(): Promise<'stopped' | undefined> {
    const { job, docker, id } = this.#deps;
    const services = job.services ?? [];
    const options = { runnerImage: this.#deps.runnerImage, init: this.#deps.init };
    const specs = [
      { name: 'net', spec: netContainerSpec(job, id, options) },
      ...services.map((s) => ({ name: s.name, spec: serviceContainerSpec(job, id, s, options) })),
    ];
    for (const { name, spec } of specs) {
      const container = await docker.createContainer(spec);
      this.#beside.push({ name, container });
      if (this.stopReason !== undefined) return 'stopped';
      await container.start();
      if (this.stopReason !== undefined) return 'stopped';
    }
    this.output.system(
      `ferry: services started: ${services.map((s) => `${s.name} (${s.image})`).join(', ')}`,
    );
    return undefined;
  }

  /**
   * Waits (in the runner's namespace) until every launched service's port accepts. Undefined when
   * they are ready, 'stopped', or why they are not, after each service's last log lines; 'stopped'
   * without them when the wait was `abandoned` (the clone failed meanwhile).
   */
  async #awaitServices(abandon: { abandoned: boolean }): Promise<string | undefined> {
    const { job, id } = this.#deps;
    const services = job.services ?? [];
    const options = { runnerImage: this.#deps.runnerImage, init: this.#deps.init };
    // A service that ends before it is ready will never be: the wait is stopped at once then.
    const watch = { ready: false, ended: undefined as string | undefined };
    for (const { name, container } of this.#beside.slice(1)) {
      container
        .wait()
        .then(() => {
          if (!watch.ready) watch.ended ??= name;
        })
        .catch(ignore);
    }
    let waiting: Docker.Container | undefined;
    const stopWait = setInterval(() => {
      if (watch.ended !== undefined || abandon.abandoned) waiting?.kill().catch(ignore);
    }, 200);
    const ran = await this.#runContainer(
      waitContainerSpec(job, id, services, options),
      undefined,
      async (c) => {
        waiting = c;
      },
    ).finally(() => clearInterval(stopWait));
    watch.ready = true;
    const ended = watch.ended;
    if (ran === undefined || abandon.abandoned) return 'stopped';
    if (ran.state.ExitCode === 0 && ended === undefined) return undefined;
    // `services wait` names each late service as `ferry: service <name> not ready: …`.
    const waitLines = await lastLogLines(ran.container, 50).catch(() => []);
    const late = new Set(
      waitLines.flatMap((line) => /^ferry: service (\S+) not ready/.exec(line)?.[1] ?? []),
    );
    if (ended !== undefined) late.add(ended);
    const names: string[] = [];
    for (const { name, container } of this.#beside.slice(1)) {
      if (late.size > 0 && !late.has(name)) continue;
      const state = (await container.inspect().catch(() => undefined))?.State;
      const exited = state !== undefined && !state.Running ? ` (exited with code ${state.ExitCode})` : '';
      const lines = await lastLogLines(container, 20).catch(() => []);
      this.output.system(
        [`ferry: service ${name}${exited}, its last log lines:`, ...lines.map((l) => `  ${l}`)].join('\n'),
      );
      names.push(`${name}${exited}`);
    }
    const timeout = Math.max(...services.map((s) => s.readyTimeoutMs));
    const when = ended === undefined ? `within ${Math.round(timeout / 1000)} s` : 'before it ended';
    return `service${names.length === 1 ? '' : 's'} not ready ${when}: ${names.join(', ')} (last log lines above)`;
  }

  /** Stops the services and the holder; the services' logs are appended to the job's log. */
  async #stopServices(): Promise<void> {
    const beside = this.#beside.splice(0);
    await Promise.all(beside.map(({ container }) => container.stop({ t: 1 }).catch(ignore)));
    for (const { name, container } of beside.slice(1)) {
      this.output.system(`ferry: --- log of service ${name} ---`);
      this.output.container(container);
    }
  }

  /**
   * Creates, starts and waits for one container, writing `stdin` (then closing it) when given and
   * running `prepare` on the created container before its start; its end and the container, or
   * undefined when the run was stopped meanwhile.
   */
  async #runContainer(
    spec: ContainerCreateOptions,
    stdin?: string,
    prepare?: (container: Docker.Container) => Promise<void>,
  ): Promise<{ state: ContainerEnd; container: Docker.Container } | undefined> {
    const container = await this.#deps.docker.createContainer(spec);
    return this.#track(container, (c) => this.#runCreated(c, stdin, prepare));
  }

  /** Runs `fn` with `container` among the running ones (a stop halts it). */
  async #track<T>(container: Docker.Container, fn: (container: Docker.Container) => Promise<T>): Promise<T> {
    this.#current.add(container);
    try {
      return await fn(container);
    } finally {
      this.#current.delete(container);
    }
  }

  async #runCreated(
    container: Docker.Container,
    stdin: string | undefined,
    prepare: ((container: Docker.Container) => Promise<void>) | undefined,
  ): Promise<{ state: ContainerEnd; container: Docker.Container } | undefined> {
    if (this.stopReason !== undefined) return undefined;
    if (prepare !== undefined) await prepare(container);
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
    if (this.stopReason !== undefined) return undefined;
    const info = await container.inspect();
    return { state: info.State, container };
  }
}
