import { randomInt } from 'node:crypto';
import { scriptSizeProblem } from '@ferry/runner';
import { ExecutorErrors, FerryError, runnerPodName } from '@ferry/shared';
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
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
import { stageScript } from '../stage-script.js';
import { retrying } from './abort.js';
import { describeFailure, isAlreadyExists, isNotFound, isTransient, kubernetesError } from './api-errors.js';
import { defaultBuildSeccompProfile } from './build-sandbox.js';
import { ContainerLogFollower } from './container-log-follower.js';
import { type ExecutorLogger, silentLogger } from './executor-logger.js';
import { loadKubeConfig } from './kube-config.js';
import type { KubernetesExecutorConfig, KubernetesExecutorOptions } from './kubernetes-executor-options.js';
import { runnerAnnotations, runnerInfoFrom, runnerLabels, runnerSelector } from './labels.js';
import { openPodLog } from './log-request.js';
import { podOutcome } from './pod-outcome.js';
import { buildRunnerPod } from './pod-spec.js';
import { PodTracker } from './pod-tracker.js';
import { tailRunner } from './runner-log-tail.js';
import { RunnerNamespaces } from './runner-namespaces.js';
import { buildRunnerSecret, ownedByPodPatch, REGISTRY_AUTH_KEY } from './secret.js';

/** The alphabet of Kubernetes' generateName suffixes (no vowels, no look-alikes). */
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function randomSuffix(): string {
  let out = '';
  for (let i = 0; i < 5; i++) out += SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)];
  return out;
}

/**
 * The production executor: a pod per stage in the runner namespace. `prepare` creates the
 * runner's Secret (its secret env, and the mark that it exists), `start` the pod; status comes
 * from a watch, output from the Log API; `cancel` and `destroy` delete pod and Secret.
 */
export class KubernetesExecutor implements Executor {
  readonly kind = 'kubernetes';
  readonly #kc: KubeConfig;
  readonly #core: CoreV1Api;
  readonly #config: KubernetesExecutorConfig;
  readonly #owner: string | undefined;
  readonly #logger: ExecutorLogger;
  readonly #namespaces: RunnerNamespaces;
  readonly #cancelGraceSeconds: number;
  readonly #terminationGraceSeconds: number;
  readonly #randomSuffix: () => string;
  /** Pods built by `prepare`, waiting for `start`. */
  readonly #prepared = new Map<string, { job: StageJob; pod: V1Pod }>();
  readonly #trackers = new Map<string, PodTracker>();

  constructor(options: KubernetesExecutorOptions) {
    this.#config = options.config;
    this.#owner = options.owner;
    this.#kc = options.kubeConfig ?? loadKubeConfig(options.config);
    this.#core = this.#kc.makeApiClient(CoreV1Api);
    this.#logger = options.logger ?? silentLogger;
    this.#namespaces = new RunnerNamespaces(this.#core, options.config, options.namespaceLabels);
    this.#cancelGraceSeconds = options.cancelGraceSeconds ?? 1;
    this.#terminationGraceSeconds = options.terminationGraceSeconds ?? 2;
    this.#randomSuffix = options.randomSuffix ?? randomSuffix;
  }

  /** The runner namespace (build pods go to `buildNamespace` when one is configured). */
  get namespace(): string {
    return this.#namespaces.runners.name;
  }

  async prepare(job: StageJob, signal: AbortSignal): Promise<RunnerHandle> {
    const problem = job.script.length > 0 ? scriptSizeProblem(stageScript(job)) : undefined;
    if (problem !== undefined)
      throw new FerryError(ExecutorErrors.EXECUTOR_INVALID_JOB, {
        kind: this.kind,
        stage: job.stage,
        pipelineId: job.pipelineId,
        reason: problem,
      });
    const target = this.#namespaces.forStage(job.stage);
    await target.ensure(signal);
    const namespace = target.name;
    const name = runnerPodName(job.pipelineId, job.stage, this.#randomSuffix());
    const labels = runnerLabels(job);
    const annotations = runnerAnnotations(job);
    const pod = buildRunnerPod(job, {
      name,
      namespace,
      labels,
      annotations,
      runnerImage: this.#config.runnerImage,
      secretName: name,
      ...(this.#config.serviceAccount === undefined ? {} : { serviceAccount: this.#config.serviceAccount }),
      nodeSelector: this.#config.nodeSelector,
      tolerations: this.#config.tolerations,
      imagePullSecrets: this.#config.imagePullSecrets,
      terminationGraceSeconds: this.#terminationGraceSeconds,
      buildSandbox: {
        level: this.#config.buildSandbox,
        seccompProfile:
          this.#config.buildSeccompProfile ?? defaultBuildSeccompProfile(this.#config.buildSandbox),
      },
      runAsUser: this.#config.runAsUser,
      cloneResources: this.#config.cloneResources,
      stepResources: this.#config.stepResources,
      serviceResources: this.#config.serviceResources,
      ...(this.#config.cache === undefined ? {} : { cache: this.#config.cache }),
      ...(this.#config.buildCache === undefined ? {} : { buildCache: this.#config.buildCache }),
    });
    const secret = buildRunnerSecret({
      name,
      namespace,
      labels,
      annotations,
      secretEnv: job.secretEnv,
      ...(job.buildah?.authJson === undefined
        ? {}
        : { files: { [REGISTRY_AUTH_KEY]: job.buildah.authJson } }),
    });
    await this.#createOnce(
      () => this.#core.createNamespacedSecret({ namespace, body: secret }),
      signal,
      `create secret ${name}`,
      job,
    );
    this.#prepared.set(name, { job, pod });
    return { id: name };
  }

  async start(handle: RunnerHandle, signal: AbortSignal): Promise<void> {
    const prepared = this.#prepared.get(handle.id);
    if (prepared === undefined) {
      throw new FerryError(
        this.#trackers.has(handle.id)
          ? ExecutorErrors.EXECUTOR_ALREADY_STARTED
          : ExecutorErrors.EXECUTOR_RUNNER_UNKNOWN,
        { kind: this.kind, id: handle.id, action: 'start' },
      );
    }
    this.#prepared.delete(handle.id);
    const namespace = this.#namespaces.of(handle.id);
    const created = await this.#createOnce(
      () => this.#core.createNamespacedPod({ namespace, body: prepared.pod }),
      signal,
      `create pod ${handle.id}`,
      prepared.job,
    );
    this.#tracker(handle.id);
    // The Secret goes with its pod even when Ferry never gets to destroy the runner.
    try {
      const pod = created ?? (await this.#core.readNamespacedPod({ namespace, name: handle.id }));
      await this.#core.patchNamespacedSecret({ namespace, name: handle.id, body: ownedByPodPatch(pod) });
    } catch (err) {
      this.#logger.warn(
        { runner: handle.id, err: describeFailure(err) },
        'could not make the runner pod own its secret; destroy or the reaper removes it',
      );
    }
  }

  async tail(handle: RunnerHandle, sink: LogSink, signal: AbortSignal): Promise<void> {
    const tracker = this.#tracker(handle.id);
    const follower = new ContainerLogFollower({
      namespace: this.#namespaces.of(handle.id),
      pod: handle.id,
      open: (query, s) => openPodLog(this.#kc, query, s),
      state: tracker,
      logger: this.#logger,
    });
    await tailRunner(tracker, follower, sink, signal);
  }

  wait(handle: RunnerHandle, signal: AbortSignal): Promise<StageResult> {
    return abortable(this.#tracker(handle.id).result, signal);
  }

  async cancel(handle: RunnerHandle, signal: AbortSignal): Promise<void> {
    // Also after a restart: a `wait` attached later reports "canceled", not "deleted outside Ferry".
    this.#tracker(handle.id).markCanceled();
    this.#prepared.delete(handle.id);
    await this.#deleteRunner(handle.id, signal);
  }

  async destroy(handle: RunnerHandle, signal: AbortSignal): Promise<void> {
    this.#prepared.delete(handle.id);
    const tracker = this.#tracker(handle.id);
    tracker.markCanceled();
    try {
      await this.#deleteRunner(handle.id, signal);
      // Gone means gone: the containers are stopped and the pod object removed.
      await tracker.until(() => tracker.gone, signal);
    } finally {
      tracker.stop();
      this.#trackers.delete(handle.id);
    }
  }

  async adopt(handle: RunnerHandle, sink: LogSink, signal: AbortSignal): Promise<RunnerEnd> {
    let read = await this.#podEnd(handle.id, signal);
    if ('pod' in read && read.result === undefined) {
      // Pending or running (its Ferry died or stalled): followed to its end, never deleted and
      // run again. The tracker's answer is only the wake-up; the pod, read again, says how it ended.
      await this.wait(handle, signal);
      read = await this.#podEnd(handle.id, signal);
    }
    if (!('pod' in read)) return { finished: false, why: read.why };
    const { pod, result } = read;
    if (result === undefined) return { finished: false, why: `its pod is ${pod.status?.phase ?? 'unknown'}` };
    // A finished pod's containers keep their logs until the pod is deleted: read them all.
    await this.tail(handle, sink, signal);
    return { finished: true, result };
  }

  /** A runner's pod and its end, as `wait` reads it (the step container's terminated state); or why there is none. */
  async #podEnd(
    name: string,
    signal: AbortSignal,
  ): Promise<{ pod: V1Pod; result: StageResult | undefined } | { why: string }> {
    const namespace = this.#namespaces.of(name);
    let pod: V1Pod;
    try {
      pod = await retrying(
        () => abortable(this.#core.readNamespacedPod({ namespace, name }), signal),
        isTransient,
        signal,
      );
    } catch (err) {
      if (isNotFound(err)) return { why: 'its pod is gone (or was never created)' };
      throw kubernetesError(err, { action: `read pod ${name}`, namespace });
    }
    return {
      pod,
      result: podOutcome(pod, { canceled: false, timeoutSeconds: pod.spec?.activeDeadlineSeconds ?? 0 }),
    };
  }

  async list(signal: AbortSignal): Promise<RunnerInfo[]> {
    const found = new Map<string, RunnerInfo>();
    for (const namespace of this.#namespaces.all()) {
      const selector = { namespace, labelSelector: runnerSelector(this.#owner) };
      try {
        const [pods, secrets] = await abortable(
          Promise.all([this.#core.listNamespacedPod(selector), this.#core.listNamespacedSecret(selector)]),
          signal,
        );
        // A runner is its pod, or only its Secret when prepared and not started (or left half-made).
        for (const item of [...pods.items, ...secrets.items]) {
          const info = runnerInfoFrom(item.metadata);
          if (info !== undefined && !found.has(info.id)) found.set(info.id, info);
        }
      } catch (err) {
        throw kubernetesError(err, { action: 'list runner pods and secrets', namespace });
      }
    }
    return [...found.values()];
  }

  #tracker(name: string): PodTracker {
    let tracker = this.#trackers.get(name);
    if (tracker === undefined) {
      tracker = new PodTracker({
        kc: this.#kc,
        core: this.#core,
        namespace: this.#namespaces.of(name),
        name,
        pendingTimeoutMs: this.#config.pendingTimeout,
        logger: this.#logger,
      });
      this.#trackers.set(name, tracker);
      tracker.start();
    }
    return tracker;
  }

  /**
   * Creates an object, retrying transient failures; an AlreadyExists after a retry means the
   * earlier attempt went through. Returns the object, or undefined when only the retry tells.
   */
  async #createOnce<T>(
    create: () => Promise<T>,
    signal: AbortSignal,
    action: string,
    job: StageJob,
  ): Promise<T | undefined> {
    let attempts = 0;
    try {
      return await retrying(
        () => {
          attempts += 1;
          return abortable(create(), signal);
        },
        isTransient,
        signal,
      );
    } catch (err) {
      if (attempts > 1 && isAlreadyExists(err)) return undefined;
      throw kubernetesError(err, { action, namespace: this.#namespaces.forStage(job.stage).name, job });
    }
  }

  /** Deletes the pod (background propagation, short grace) and its Secret; absent ones are fine. */
  async #deleteRunner(name: string, signal: AbortSignal): Promise<void> {
    const namespace = this.#namespaces.of(name);
    const remove = async (what: string, call: () => Promise<unknown>) => {
      try {
        await retrying(() => abortable(call(), signal), isTransient, signal);
      } catch (err) {
        if (!isNotFound(err)) throw kubernetesError(err, { action: `delete ${what} ${name}`, namespace });
      }
    };
    await Promise.all([
      remove('pod', () =>
        this.#core.deleteNamespacedPod({
          namespace,
          name,
          gracePeriodSeconds: this.#cancelGraceSeconds,
          propagationPolicy: 'Background',
        }),
      ),
      remove('secret', () =>
        this.#core.deleteNamespacedSecret({ namespace, name, propagationPolicy: 'Background' }),
      ),
    ]);
  }
}
