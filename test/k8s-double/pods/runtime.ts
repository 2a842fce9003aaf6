/**
 * One pod on the node: its sandbox (ports, volumes), init containers in order, then the
 * containers with their restart policy, probes, the active deadline, and graceful
 * termination that stops and removes every Docker container the pod ever had.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomSuffix, rfc3339 } from '../api/clock.js';
import type { Container, PodSpec } from '../api/kinds/pod-spec.js';
import { R } from '../api/resources.js';
import type { KubeObject } from '../types.js';
import { startContainerProbes } from './container-probes.js';
import type { KubeletDeps } from './deps.js';
import { buildEnv } from './env.js';
import { hostsFile } from './hosts-file.js';
import { containerLabels } from './labels.js';
import { configSource, type LaunchContext, type LaunchResult, launch } from './launch.js';
import { hostListens, PodNetwork } from './network/pod-network.js';
import {
  containerTexts,
  type EgressAddress,
  namedLoopbackAddresses,
  podNetworkChoice,
} from './network/rule.js';
import { PodPorts, portEnvNames } from './pod-ports.js';
import { runPreStop } from './pre-stop.js';
import type { Prober, ProbeTarget } from './probes.js';
import { hasClusterIP, serviceLinkEnv } from './service-links.js';
import {
  buildPodStatus,
  type ContainerRun,
  type PodRunState,
  type Terminated,
  terminatedReason,
} from './status.js';
import { dockerTime, sleep } from './util.js';
import { prepareVolumes } from './volumes.js';

function newRun(c: Container, reason: string): ContainerRun {
  return {
    name: c.name,
    image: c.image ?? '',
    imageID: '',
    state: { waiting: { reason } },
    lastState: {},
    restartCount: 0,
    ready: false,
    started: false,
  };
}

export class PodRuntime {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  private readonly stopping = new AbortController();
  private readonly run: PodRunState;
  private readonly spec: PodSpec;
  /** Container name → current and previous Docker container. */
  readonly current = new Map<string, { id: string; tty: boolean }>();
  readonly previous = new Map<string, { id: string; tty: boolean }>();
  private readonly created = new Set<string>();
  /** Containers the double itself stopped or killed (their 137 is not an OOM kill). */
  private readonly killed = new Set<string>();
  private readonly probers = new Map<string, Prober[]>();
  /** containerPort → host port; the first is the pod's primary port. */
  private readonly ports: PodPorts;
  private dirs = new Map<string, string>();
  /** The pod's own network namespace, when it has one (network/rule.ts); else the host's network. */
  private network: PodNetwork | undefined;
  private deadline: NodeJS.Timeout | undefined;
  private readonly sidecars: { entry: ContainerRun; done: Promise<void> }[] = [];
  private sidecarsStopping = false;
  private lifecycle: Promise<void> = Promise.resolve();
  private terminating: Promise<void> | undefined;
  private killNow: (() => void) | undefined;

  constructor(
    private readonly deps: KubeletDeps,
    pod: KubeObject,
  ) {
    this.uid = pod.metadata.uid;
    this.namespace = pod.metadata.namespace ?? 'default';
    this.name = pod.metadata.name;
    this.spec = structuredClone(pod.spec as PodSpec);
    this.ports = new PodPorts(this.spec, deps.ports);
    const hasInit = (this.spec.initContainers ?? []).length > 0;
    this.run = {
      init: (this.spec.initContainers ?? []).map((c) => newRun(c, 'PodInitializing')),
      main: this.spec.containers.map((c) => newRun(c, hasInit ? 'PodInitializing' : 'ContainerCreating')),
      initDone: !hasInit,
      sandboxReady: false,
    };
  }

  get podDir(): string {
    return join(this.deps.rootDir, 'pods', this.uid);
  }

  /** The pod's /etc/hosts on the host (bind-mounted into every container). */
  private get hostsPath(): string {
    return join(this.podDir, 'etc-hosts');
  }

  /**
   * Writes the pod's /etc/hosts from the Services as they are now (see hosts-file.ts). Rewritten
   * in place, so the containers' bind mount (the same inode) sees the new content.
   */
  async writeHosts(): Promise<void> {
    if (this.stopping.signal.aborted || !this.dirs.has('\0hosts')) return;
    const text = hostsFile({
      podIP: '127.0.0.1',
      hostname: (this.spec.hostname ?? this.name).slice(0, 63),
      nodeHostname: hostname(),
      namespace: this.namespace,
      hostAliases: this.spec.hostAliases ?? [],
      services: this.deps.store.peekAll(R.services),
      apiServerIP: '127.0.0.1',
    });
    await writeFile(this.hostsPath, text, { mode: 0o644 }).catch(() => undefined);
  }

  /** Waiting state of a container (for log requests on a container that has not started). */
  waitingReason(container: string): string | undefined {
    return [...this.run.init, ...this.run.main].find((c) => c.name === container)?.state.waiting?.reason;
  }

  start(): void {
    this.lifecycle = this.live().catch((err: unknown) => {
      this.deps.logger.error(
        { pod: `${this.namespace}/${this.name}`, err: String((err as Error)?.stack ?? err) },
        'pod runtime failed',
      );
    });
  }

  private latest(): KubeObject | undefined {
    const pod = this.deps.store.peek(R.pods, this.namespace, this.name);
    return pod?.metadata.uid === this.uid ? pod : undefined;
  }

  private publish(extra?: (draft: KubeObject) => void): void {
    this.deps.store.mutate(R.pods, this.namespace, this.name, (draft) => {
      if (draft.metadata.uid !== this.uid) return false;
      draft.status = buildPodStatus({
        run: this.run,
        restartPolicy: this.spec.restartPolicy ?? 'Always',
        prevConditions: draft.status?.conditions,
        qosClass: draft.status?.qosClass,
        now: rfc3339(),
      });
      extra?.(draft);
      return true;
    });
  }

  private event(type: 'Normal' | 'Warning', reason: string, message: string, container?: string): void {
    const pod = this.latest();
    if (!pod) return;
    const isInit = container !== undefined && this.run.init.some((c) => c.name === container);
    this.deps.events.record(pod, {
      type,
      reason,
      message,
      component: 'kubelet',
      ...(container ? { fieldPath: `spec.${isInit ? 'initContainers' : 'containers'}{${container}}` } : {}),
    });
  }

  private async prepareSandbox(): Promise<boolean> {
    await this.ports.allocate();
    if (this.stopping.signal.aborted) return false;
    const { store } = this.deps;
    for (;;) {
      const pod = this.latest();
      if (!pod || this.stopping.signal.aborted) return false;
      const result = await prepareVolumes(pod, this.podDir, {
        secret: (name) =>
          store.peek(R.secrets, this.namespace, name)?.data ??
          (store.peek(R.secrets, this.namespace, name) ? {} : undefined),
        configMap: (name) => {
          const cm = store.peek(R.configmaps, this.namespace, name);
          return cm ? { data: cm.data ?? {}, binaryData: cm.binaryData ?? {} } : undefined;
        },
        claimDir: (name) => {
          const pvc = store.peek(R.pvcs, this.namespace, name);
          return pvc && !pvc.metadata.deletionTimestamp
            ? join(this.deps.rootDir, 'pvcs', pvc.metadata.uid)
            : undefined;
        },
        serviceAccount: this.deps.serviceAccount,
      });
      if (result.ok) {
        this.dirs = result.dirs;
        this.dirs.set('\0hosts', this.hostsPath);
        await mkdir(this.podDir, { recursive: true });
        await this.writeHosts();
        if (!(await this.startNetwork(pod))) return false;
        break;
      }
      this.event(
        'Warning',
        'FailedMount',
        `MountVolume.SetUp failed for volume "${result.volume}" : ${result.message}`,
      );
      if (!(await sleep(this.deps.timing.configRetryMs, this.stopping.signal))) return false;
    }
    this.run.sandboxReady = true;
    this.run.startTime = rfc3339();
    this.publish((draft) => {
      draft.metadata.annotations = { ...(draft.metadata.annotations ?? {}), ...this.ports.annotations() };
    });
    return true;
  }

  /**
   * The pod's sandbox with its own network namespace, when the rule gives it one (network/): retried
   * as the kubelet retries a sandbox it could not create (event FailedCreatePodSandBox).
   */
  private async startNetwork(pod: KubeObject): Promise<boolean> {
    if (!podNetworkChoice(this.spec).own) return true;
    for (;;) {
      if (this.stopping.signal.aborted) return false;
      try {
        this.network = await PodNetwork.start({
          docker: this.deps.docker,
          pauseImage: this.deps.pauseImage,
          name: `k8sd-${this.uid.slice(0, 8)}-pause-${randomSuffix(4)}`,
          labels: containerLabels(this.deps.instanceId, this.namespace, this.name, this.uid, 'POD'),
          dir: this.podDir,
          egress: await this.egress(pod),
          inbound: this.ports.primaryPort === undefined ? [] : [this.ports.primaryPort],
          signal: this.stopping.signal,
          logger: this.deps.logger,
        });
        return true;
      } catch (err) {
        if (this.stopping.signal.aborted) return false;
        const message = (err as { json?: { message?: string } }).json?.message ?? (err as Error).message;
        this.event('Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${message}`);
        if (!(await sleep(this.deps.timing.configRetryMs, this.stopping.signal))) return false;
      }
    }
  }

  /**
   * What the pod reaches over the cluster network: the API server, every Service's ClusterIP
   * ports, and the loopback addresses named in its containers' environment where
   * the host listens when the sandbox starts (an address of the pod's own, such as a sidecar's
   * 127.0.0.1:6379, is not taken from it).
   */
  private async egress(pod: KubeObject): Promise<EgressAddress[]> {
    const node = this.deps.node();
    const source = configSource(this.deps, this.namespace);
    const texts: string[] = [];
    for (const c of [...(this.spec.initContainers ?? []), ...this.spec.containers]) {
      const env = buildEnv(pod, c, source, { cpu: node.allocatable.cpu, memory: node.allocatable.memory });
      texts.push(...containerTexts(env.ok ? env.env : []));
    }
    const own = this.ports.primaryPort;
    const named = namedLoopbackAddresses(texts);
    const served = await Promise.all(named.map((a) => hostListens(a.host, a.port)));
    return [
      { listen: '127.0.0.1', port: this.deps.apiPort, host: '127.0.0.1' },
      ...this.serviceAddresses(),
      ...named.filter((_, i) => served[i]),
    ].filter((a) => a.port !== own);
  }

  private serviceAddresses(): EgressAddress[] {
    return this.deps.store
      .peekAll(R.services)
      .filter(hasClusterIP)
      .flatMap((svc) =>
        ((svc.spec?.ports ?? []) as { port: number }[]).map((p) => ({
          listen: svc.spec.clusterIP as string,
          port: p.port,
          host: svc.spec.clusterIP as string,
        })),
      );
  }

  /** Services created after the pod started are reached too (their ClusterIP ports). */
  async reachServices(): Promise<void> {
    if (this.network === undefined || this.stopping.signal.aborted) return;
    await this.network.add(this.serviceAddresses()).catch(() => undefined);
  }

  private launchContext(entry: ContainerRun): LaunchContext {
    return {
      deps: this.deps,
      signal: this.stopping.signal,
      latest: () => this.latest(),
      dirs: this.dirs,
      extraEnv: (c) => {
        const port = String(this.ports.forContainer(c));
        const pod = this.latest();
        // kubelet_pods.go getServiceEnvVarMap: the pod namespace's Services unless
        // enableServiceLinks is false; the API server's variables always.
        const links =
          this.spec.enableServiceLinks === false
            ? {}
            : serviceLinkEnv(this.deps.store.peekAll(R.services, this.namespace));
        return {
          defaults: {
            ...links,
            KUBERNETES_SERVICE_HOST: '127.0.0.1',
            KUBERNETES_SERVICE_PORT: String(this.deps.apiPort),
            KUBERNETES_SERVICE_PORT_HTTPS: String(this.deps.apiPort),
            KUBERNETES_PORT: `tcp://127.0.0.1:${this.deps.apiPort}`,
            HOSTNAME: this.name.slice(0, 63),
          },
          forced: {
            PORT: port,
            ...Object.fromEntries(portEnvNames(pod?.metadata.annotations).map((n) => [n, port])),
          },
        };
      },
      waiting: (reason, message) => {
        entry.state = { waiting: { reason, ...(message ? { message } : {}) } };
        this.publish();
      },
      event: (type, reason, message) => this.event(type, reason, message, entry.name),
      networkMode: () => this.network?.networkMode ?? 'host',
      dockerName: () =>
        `k8sd-${this.uid.slice(0, 8)}-${entry.name}-${entry.restartCount}-${randomSuffix(4)}`.slice(0, 200),
    };
  }

  private async attempt(entry: ContainerRun, isInit: boolean): Promise<LaunchResult> {
    const result = await launch(this.launchContext(entry), entry.name, isInit);
    if (result.kind === 'stopped') return result;
    this.created.add(result.id);
    const old = this.current.get(entry.name);
    if (old) {
      const older = this.previous.get(entry.name);
      if (older) void this.removeContainer(older.id);
      this.previous.set(entry.name, old);
    }
    this.current.set(entry.name, { id: result.id, tty: result.kind === 'started' && result.tty });
    entry.containerID = `docker://${result.id}`;
    entry.imageID = result.imageID;
    const spec = this.latest()?.spec as PodSpec | undefined;
    entry.image =
      [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])].find((c) => c.name === entry.name)
        ?.image ?? entry.image;
    if (result.kind === 'started') {
      entry.state = { running: { startedAt: result.startedAt } };
      entry.started = true;
    }
    return result;
  }

  private async waitFor(id: string): Promise<Terminated> {
    const container = this.deps.docker.getContainer(id);
    let exitCode = 137;
    try {
      exitCode = ((await container.wait()) as { StatusCode: number }).StatusCode;
    } catch {
      // the container was removed underneath us: it was killed
    }
    const info = await container.inspect().catch(() => undefined);
    // Docker on cgroup v1 sometimes loses the OOM event: a SIGKILL exit of a memory-limited
    // container that nobody here killed can only be the kernel's OOM killer.
    const oom =
      info?.State.OOMKilled === true ||
      (exitCode === 137 && (info?.HostConfig.Memory ?? 0) > 0 && !this.killed.has(id));
    return {
      exitCode,
      reason: terminatedReason(exitCode, oom),
      startedAt: dockerTime(info?.State.StartedAt),
      finishedAt: dockerTime(info?.State.FinishedAt),
      containerID: `docker://${id}`,
    };
  }

  private async backoff(entry: ContainerRun, delayMs: number): Promise<boolean> {
    if (entry.restartCount <= 1) return !this.stopping.signal.aborted;
    entry.state = {
      waiting: {
        reason: 'CrashLoopBackOff',
        message: `back-off ${Math.round(delayMs / 1000)}s restarting failed container=${entry.name} pod=${this.name}_${this.namespace}(${this.uid})`,
      },
    };
    this.publish();
    this.event(
      'Warning',
      'BackOff',
      `Back-off restarting failed container ${entry.name} in pod ${this.name}_${this.namespace}(${this.uid})`,
      entry.name,
    );
    return sleep(delayMs, this.stopping.signal);
  }

  private async runInit(entry: ContainerRun): Promise<boolean> {
    let delay = this.deps.timing.restartBackoffMs;
    for (;;) {
      const result = await this.attempt(entry, true);
      if (result.kind === 'stopped') return false;
      this.publish();
      const terminated =
        result.kind === 'startError'
          ? { ...result.terminated, containerID: `docker://${result.id}` }
          : await this.waitFor(result.id);
      entry.state = { terminated };
      entry.started = false;
      if (terminated.exitCode === 0) {
        entry.ready = true;
        this.publish();
        return true;
      }
      if (this.stopping.signal.aborted || this.spec.restartPolicy === 'Never') {
        if (!this.stopping.signal.aborted) this.run.failed = {};
        this.publish();
        return false;
      }
      entry.lastState = { terminated };
      entry.restartCount++;
      this.publish();
      if (!(await this.backoff(entry, delay))) return false;
      if (entry.restartCount > 1) delay = Math.min(delay * 2, this.deps.timing.maxRestartBackoffMs);
    }
  }

  private startProbes(entry: ContainerRun, id: string): void {
    const c = [...this.spec.containers, ...(this.spec.initContainers ?? [])].find(
      (x) => x.name === entry.name,
    );
    const probers = startContainerProbes(c, this.probeTarget(id), this.deps.timing.maxProbePeriodMs, {
      setReady: (ready) => {
        entry.ready = ready;
        this.publish();
      },
      setStarted: (started) => {
        entry.started = started;
      },
      warn: (reason, message) => this.event('Warning', reason, message, entry.name),
      normal: (reason, message) => this.event('Normal', reason, message, entry.name),
      kill: () => void this.stopContainer(id, this.spec.terminationGracePeriodSeconds ?? 30),
    });
    this.probers.set(entry.name, probers);
  }

  private stopProbes(name: string): void {
    for (const p of this.probers.get(name) ?? []) p.stop();
    this.probers.delete(name);
  }

  private async runMain(entry: ContainerRun, sidecar = false): Promise<void> {
    let delay = this.deps.timing.restartBackoffMs;
    for (;;) {
      const result = await this.attempt(entry, false);
      if (result.kind === 'stopped') return;
      this.publish();
      let terminated: Terminated;
      if (result.kind === 'startError')
        terminated = { ...result.terminated, containerID: `docker://${result.id}` };
      else {
        this.startProbes(entry, result.id);
        terminated = await this.waitFor(result.id);
        this.stopProbes(entry.name);
      }
      entry.ready = false;
      entry.started = false;
      // A sidecar restarts whatever the pod's restartPolicy (its own is Always), until the kubelet
      // stops it after the main containers ended (kubernetes.io "Sidecar Containers", v1.29+).
      const policy = sidecar ? 'Always' : (this.spec.restartPolicy ?? 'Always');
      const restart = policy === 'Always' || (policy === 'OnFailure' && terminated.exitCode !== 0);
      if (this.stopping.signal.aborted || (sidecar && this.sidecarsStopping) || !restart) {
        entry.state = { terminated };
        this.publish();
        return;
      }
      entry.lastState = { terminated };
      entry.state = { terminated };
      entry.restartCount++;
      this.publish();
      if (!(await this.backoff(entry, delay))) {
        entry.state = { terminated };
        this.publish();
        return;
      }
      if (entry.restartCount > 1) delay = Math.min(delay * 2, this.deps.timing.maxRestartBackoffMs);
    }
  }

  private armDeadline(): void {
    const seconds = this.spec.activeDeadlineSeconds;
    if (!seconds) return;
    this.deadline = setTimeout(() => {
      if (this.stopping.signal.aborted) return;
      const message = 'Pod was active on the node longer than the specified deadline';
      this.run.failed = { reason: 'DeadlineExceeded', message };
      this.event('Normal', 'DeadlineExceeded', message);
      this.publish();
      void this.stopAll(this.spec.terminationGracePeriodSeconds ?? 30);
    }, seconds * 1000);
  }

  /**
   * Native sidecars (kubernetes.io "Sidecar Containers", Kubernetes v1.29+, KEP-753): an init
   * container with `restartPolicy: Always` is started in its turn, and the kubelet goes on to the
   * next init container once it has started (its startupProbe passed, when it has one; this double
   * runs no startupProbe on sidecars, so: once it runs); it keeps running (restarted when it
   * exits) beside the main containers, and is stopped after they have all ended, in the reverse
   * order of the spec. Its exit code does not count for the pod's phase.
   */
  private async startSidecar(entry: ContainerRun): Promise<boolean> {
    const done = this.runMain(entry, true);
    this.sidecars.push({ entry, done });
    while (!entry.started && !this.stopping.signal.aborted) {
      if (entry.state.terminated && entry.restartCount === 0 && entry.lastState.terminated === undefined)
        break;
      if (!(await sleep(20, this.stopping.signal))) return false;
    }
    return !this.stopping.signal.aborted;
  }

  private async stopSidecars(): Promise<void> {
    this.sidecarsStopping = true;
    for (const { entry, done } of [...this.sidecars].reverse()) {
      const current = this.current.get(entry.name);
      if (current) {
        this.event('Normal', 'Killing', `Stopping container ${entry.name}`, entry.name);
        await this.stopContainer(current.id, this.spec.terminationGracePeriodSeconds ?? 30);
      }
      await done;
    }
  }

  private async live(): Promise<void> {
    if (!(await this.prepareSandbox())) return;
    this.armDeadline();
    const initSpecs = this.spec.initContainers ?? [];
    for (const [i, entry] of this.run.init.entries()) {
      if (initSpecs[i]?.restartPolicy === 'Always') {
        if (!(await this.startSidecar(entry))) return;
      } else if (!(await this.runInit(entry))) return;
    }
    this.run.initDone = true;
    for (const entry of this.run.main)
      if (entry.state.waiting?.reason === 'PodInitializing')
        entry.state = { waiting: { reason: 'ContainerCreating' } };
    this.publish();
    await Promise.all(this.run.main.map((entry) => this.runMain(entry)));
    await this.stopSidecars();
    clearTimeout(this.deadline);
    // Every container has ended for good: the kubelet stops the sandbox of a finished pod.
    await this.network?.close();
  }

  private async stopContainer(id: string, graceSeconds: number): Promise<void> {
    this.killed.add(id);
    try {
      await this.deps.docker.getContainer(id).stop({ t: Math.max(0, Math.ceil(graceSeconds)) });
    } catch {
      // already stopped or gone
    }
  }

  /** Stops every running container: no more starts or restarts afterwards. */
  private async stopAll(graceSeconds: number): Promise<void> {
    this.stopping.abort();
    clearTimeout(this.deadline);
    for (const name of [...this.probers.keys()]) this.stopProbes(name);
    const running = [...this.current.entries()].map(([name, c]) => ({ name, id: c.id }));
    let kill: () => void = () => {};
    const killed = new Promise<void>((resolve) => {
      kill = resolve;
    });
    this.killNow = kill;
    // Each container at once, as the kubelet kills them (one goroutine per container).
    await Promise.race([
      Promise.all(running.map((c) => this.stopGracefully(c.name, c.id, graceSeconds))),
      killed,
    ]);
    if (graceSeconds > 0) await Promise.all(running.map((c) => this.stopContainer(c.id, 0)));
  }

  /** Where probes and lifecycle handlers of container `id` go: the engine, the pod's ports. */
  private probeTarget(id: string): ProbeTarget {
    return {
      docker: this.deps.docker,
      containerId: id,
      resolvePort: (p: number | string) => this.ports.resolve(p),
    };
  }

  /** A running main container's preStop hook (pre-stop.ts), then SIGTERM with the grace left. */
  private async stopGracefully(name: string, id: string, graceSeconds: number): Promise<void> {
    let grace = graceSeconds;
    if (this.run.main.some((e) => e.name === name && e.state.running)) {
      const c = this.spec.containers.find((x) => x.name === name);
      const outcome = await runPreStop(c, this.probeTarget(id), graceSeconds);
      if (outcome.failure !== undefined)
        this.event('Warning', 'FailedPreStopHook', `PreStopHook failed: ${outcome.failure}`, name);
      grace = outcome.graceSeconds;
    }
    await this.stopContainer(id, grace);
  }

  private async removeContainer(id: string): Promise<void> {
    try {
      await this.deps.docker.getContainer(id).remove({ force: true, v: true });
    } catch {
      // already removed
    }
  }

  /**
   * Graceful termination (pod deleted): SIGTERM, SIGKILL after the grace period, containers
   * and volumes removed, ports released. A second call with a shorter grace kills at once.
   */
  terminate(graceSeconds: number): Promise<void> {
    if (this.terminating) {
      if (graceSeconds === 0) this.killNow?.();
      return this.terminating;
    }
    this.terminating = (async () => {
      for (const entry of this.run.main) {
        if (entry.state.running)
          this.event('Normal', 'Killing', `Stopping container ${entry.name}`, entry.name);
      }
      await this.stopAll(graceSeconds);
      if (graceSeconds === 0) this.killNow?.();
      await this.lifecycle;
      await Promise.all([...this.created].map((id) => this.removeContainer(id)));
      await this.network?.close();
      this.ports.release();
      await rm(this.podDir, { recursive: true, force: true }).catch(() => {});
    })();
    return this.terminating;
  }

  /** Kills a running container as a crash would (failure injection). */
  async killContainer(name: string, signal: string): Promise<void> {
    const target = this.current.get(name);
    if (!target)
      throw new Error(`k8s-double: container ${name} of pod ${this.namespace}/${this.name} is not running`);
    this.killed.add(target.id);
    await this.deps.docker.getContainer(target.id).kill({ signal });
  }

  /** Is the pod's container `name` declared (init or main)? */
  hasContainer(name: string): boolean {
    return [...this.run.init, ...this.run.main].some((c) => c.name === name);
  }

  get ready(): boolean {
    return this.run.initDone && this.run.main.every((c) => c.ready) && !this.run.failed;
  }
}
