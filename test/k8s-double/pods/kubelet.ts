/**
 * The node agent: starts a PodRuntime for every pod bound to the node, terminates it when the
 * pod is deleted (then lets the pod go), and serves container logs.
 */
import type { PodSpec } from '../api/kinds/pod-spec.js';
import { R } from '../api/resources.js';
import { ApiError, badRequest, notFound } from '../api/status.js';
import type { LogOptions, LogSource } from '../routes/log.js';
import type { ChangeEvent } from '../store/store.js';
import type { KubeObject } from '../types.js';
import type { KubeletDeps } from './deps.js';
import { readContainerLogs } from './docker-logs.js';
import { PodRuntime } from './runtime.js';

const waitingText: Record<string, string> = {
  ErrImagePull: 'trying and failing to pull image',
  ImagePullBackOff: 'trying and failing to pull image',
  InvalidImageName: "image can't be pulled",
  ErrImageNeverPull: "image can't be pulled",
};

export class Kubelet implements LogSource {
  private readonly runtimes = new Map<string, PodRuntime>();
  private readonly terminations = new Set<Promise<void>>();
  private readonly deleting = new Set<string>();
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly deps: KubeletDeps) {}

  start(): void {
    this.unsubscribe = this.deps.store.subscribe((e) => {
      if (e.def === R.pods) this.onPod(e);
      // Service names follow Services, as cluster DNS would (hosts-file.ts).
      // A pod in its own network namespace reaches new Services' ClusterIPs too (network/).
      if (e.def === R.services)
        for (const rt of this.runtimes.values()) {
          void rt.writeHosts();
          void rt.reachServices();
        }
    });
    for (const pod of this.deps.store.peekAll(R.pods)) this.sync(pod);
  }

  /** The runtime of a pod, for services and helpers that need its ports and readiness. */
  runtimeFor(uid: string): PodRuntime | undefined {
    return this.runtimes.get(uid);
  }

  private onPod(e: ChangeEvent): void {
    if (e.type === 'DELETED') {
      const rt = this.runtimes.get(e.object.metadata.uid);
      if (rt) this.track(rt.terminate(0).finally(() => this.runtimes.delete(rt.uid)));
      return;
    }
    this.sync(e.object);
  }

  private sync(pod: KubeObject): void {
    if (pod.spec?.nodeName !== this.deps.node().name) return;
    const uid = pod.metadata.uid;
    const rt = this.runtimes.get(uid);
    if (pod.metadata.deletionTimestamp) {
      const grace = pod.metadata.deletionGracePeriodSeconds ?? 0;
      const ns = pod.metadata.namespace ?? '';
      const name = pod.metadata.name;
      if (!rt) {
        setImmediate(() => this.deps.registry.completePodDeletion(ns, name));
        return;
      }
      if (this.deleting.has(uid)) {
        if (grace === 0) void rt.terminate(0);
        return;
      }
      this.deleting.add(uid);
      this.track(
        rt
          .terminate(grace)
          .then(() => {
            this.runtimes.delete(uid);
            this.deps.registry.completePodDeletion(ns, name);
          })
          .finally(() => this.deleting.delete(uid)),
      );
      return;
    }
    if (rt || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
    const runtime = new PodRuntime(this.deps, pod);
    this.runtimes.set(uid, runtime);
    runtime.start();
  }

  private track(p: Promise<void>): void {
    const tracked = p.catch((err: unknown) =>
      this.deps.logger.error({ err: String(err) }, 'pod termination failed'),
    );
    this.terminations.add(tracked);
    void tracked.finally(() => this.terminations.delete(tracked));
  }

  /**
   * Resolves once the containers of every pod deleted so far are gone. A force-deleted pod
   * (grace 0) leaves the API at once while its containers still stop, as on a real node.
   */
  async settled(): Promise<void> {
    while (this.terminations.size > 0) await Promise.all([...this.terminations]);
  }

  /** Stops and removes every pod's containers (double shutdown). */
  async close(): Promise<void> {
    this.unsubscribe?.();
    await Promise.all([...this.runtimes.values()].map((rt) => rt.terminate(0)));
    await Promise.all([...this.terminations]);
    this.runtimes.clear();
  }

  async open(
    namespace: string,
    podName: string,
    opts: LogOptions,
    signal: AbortSignal,
  ): Promise<AsyncIterable<Buffer>> {
    const pod = this.deps.store.peek(R.pods, namespace, podName);
    if (!pod) throw notFound({ plural: 'pods', group: '', kind: 'Pod', name: podName });
    const spec = pod.spec as PodSpec;
    const mains = spec.containers.map((c) => c.name);
    const inits = (spec.initContainers ?? []).map((c) => c.name);
    let container = opts.container;
    if (!container) {
      if (mains.length !== 1) {
        throw badRequest(
          `a container name must be specified for pod ${podName}, choose one of: [${mains.join(' ')}]${inits.length ? ` or one of the init containers: [${inits.join(' ')}]` : ''}`,
        );
      }
      container = mains[0]!;
    }
    if (!mains.includes(container) && !inits.includes(container)) {
      throw badRequest(`container ${container} is not valid for pod ${podName}`);
    }
    const rt = this.runtimes.get(pod.metadata.uid);
    const target = opts.previous ? rt?.previous.get(container) : rt?.current.get(container);
    if (!target) {
      if (opts.previous)
        throw badRequest(`previous terminated container "${container}" in pod "${podName}" not found`);
      const reason = rt?.waitingReason(container) ?? 'ContainerCreating';
      throw badRequest(
        `container "${container}" in pod "${podName}" is waiting to start: ${waitingText[reason] ?? reason}`,
      );
    }
    try {
      return await readContainerLogs(
        this.deps.docker,
        target.id,
        {
          follow: opts.follow,
          timestamps: opts.timestamps,
          tty: target.tty,
          ...(opts.since ? { since: opts.since } : {}),
          ...(opts.tailLines !== undefined ? { tailLines: opts.tailLines } : {}),
        },
        signal,
      );
    } catch (err) {
      throw new ApiError(
        500,
        'InternalError',
        `failed to get logs of container "${container}": ${(err as Error).message}`,
      );
    }
  }
}
