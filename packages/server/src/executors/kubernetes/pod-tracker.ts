import { listWatch } from '@ferry/runner';
import type { CoreV1Api, CoreV1Event, CoreV1EventList, KubeConfig, V1Pod } from '@kubernetes/client-node';
import { abortable } from '../../abort/abortable.js';
import type { StageResult } from '../executor.js';
import { abortError } from './abort.js';
import { describeFailure } from './api-errors.js';
import type { ExecutorLogger } from './executor-logger.js';
import {
  eventKey,
  formatDuration,
  pendingTimeoutNotices,
  waitingNotices,
  warningNotice,
} from './pod-notices.js';
import {
  containerTerminated,
  type OutcomeContext,
  pendingReason,
  podOutcome,
  waitingToRun,
} from './pod-outcome.js';

/** The events of one pod. */
const EVENT_SELECTOR = (pod: string) => `involvedObject.kind=Pod,involvedObject.name=${pod}`;

/** How long the pod watch outlives the stage's end when nobody destroys the runner. */
const IDLE_WATCH_MS = 10 * 60_000;

export interface PodTrackerOptions {
  kc: KubeConfig;
  core: CoreV1Api;
  namespace: string;
  name: string;
  /** How long the pod may wait without running anything (scheduling, pulls) before the stage fails. */
  pendingTimeoutMs: number;
  logger: ExecutorLogger;
}

/**
 * Everything Ferry knows about one runner pod, kept current by two watches (the pod, its events)
 * and never by polling: the latest pod, the lines to write into the stage log (Warning events as
 * they come, containers waiting for a reason, why it did not start), and how the stage ended.
 * The event watch stops when the stage has ended; the pod watch goes on until the pod is gone
 * (so `destroy` sees it go) or `stop()`, and at most IDLE_WATCH_MS after the end.
 */
export class PodTracker {
  readonly result: Promise<StageResult>;
  #resolve!: (result: StageResult) => void;
  #ended: StageResult | undefined;
  #finishing = false;
  #pod: V1Pod | undefined;
  #synced = false;
  readonly #context: OutcomeContext = { canceled: false, timeoutSeconds: 0 };
  readonly #notices: string[] = [];
  readonly #listeners = new Set<() => void>();
  readonly #events = new Map<string, CoreV1Event>();
  readonly #told = new Set<string>();
  readonly #stopPod = new AbortController();
  readonly #stopEvents = new AbortController();
  #pendingTimer: NodeJS.Timeout | undefined;
  #idleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: PodTrackerOptions) {
    this.result = new Promise<StageResult>((resolve) => {
      this.#resolve = resolve;
    });
  }

  /** Starts the watches (once). */
  start(): void {
    const { kc, core, namespace, name, logger } = this.options;
    const onRestart = (what: string) => (why: string) =>
      logger.debug({ pod: name, why }, `${what} watch restarts`);
    const fail = (what: string) => (err: unknown) =>
      logger.warn({ pod: name, err: describeFailure(err) }, `${what} watch stopped`);
    const podSelector = `metadata.name=${name}`;
    listWatch<V1Pod>({
      kc,
      path: `/api/v1/namespaces/${namespace}/pods`,
      kind: 'Pod',
      fieldSelector: podSelector,
      list: () => core.listNamespacedPod({ namespace, fieldSelector: podSelector }),
      onSync: (items) => this.#setPod(items[0]),
      onEvent: (type, pod) => this.#setPod(type === 'DELETED' ? undefined : pod),
      onRestart: onRestart('pod'),
      signal: this.#stopPod.signal,
    }).catch(fail('pod'));
    listWatch<CoreV1Event>({
      kc,
      path: `/api/v1/namespaces/${namespace}/events`,
      kind: 'Event',
      fieldSelector: EVENT_SELECTOR(name),
      list: () => this.#listEvents(),
      onSync: (items) => {
        for (const e of items) this.#addEvent(e);
      },
      onEvent: (type, e) => {
        if (type !== 'DELETED') this.#addEvent(e);
      },
      onRestart: onRestart('event'),
      signal: this.#stopEvents.signal,
    }).catch(fail('event'));
  }

  /** The latest state seen (undefined before the first list, and once deleted). */
  get pod(): V1Pod | undefined {
    return this.#pod;
  }

  /** The pod has been listed, and is gone. */
  get gone(): boolean {
    return this.#synced && this.#pod === undefined;
  }

  get synced(): boolean {
    return this.#synced;
  }

  get ended(): boolean {
    return this.#ended !== undefined;
  }

  get notices(): readonly string[] {
    return this.#notices;
  }

  terminated(container: string): boolean {
    return containerTerminated(this.#pod, container);
  }

  /** Ferry stops the runner: its end is reported as canceled. */
  markCanceled(): void {
    this.#context.canceled = true;
    this.#evaluate(this.#pod);
  }

  /** Called on every change (pod, notices, end); returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves when `predicate` holds (true), or after `timeoutMs` (false); rejects on abort. */
  until(predicate: () => boolean, signal: AbortSignal, timeoutMs?: number): Promise<boolean> {
    if (predicate()) return Promise.resolve(true);
    if (signal.aborted) return Promise.reject(abortError(signal));
    return new Promise<boolean>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (settle: () => void) => {
        unsubscribe();
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        settle();
      };
      const onAbort = () => done(() => reject(abortError(signal)));
      const unsubscribe = this.subscribe(() => {
        if (predicate()) done(() => resolve(true));
      });
      if (timeoutMs !== undefined) timer = setTimeout(() => done(() => resolve(false)), timeoutMs);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Closes the watches (destroy; the pod is gone). */
  stop(): void {
    clearTimeout(this.#pendingTimer);
    clearTimeout(this.#idleTimer);
    this.#pendingTimer = undefined;
    this.#stopEvents.abort();
    this.#stopPod.abort();
  }

  #listEvents(): Promise<CoreV1EventList> {
    const { core, namespace, name } = this.options;
    return core.listNamespacedEvent({ namespace, fieldSelector: EVENT_SELECTOR(name) });
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }

  #tell(lines: readonly string[]): void {
    if (lines.length === 0) return;
    this.#notices.push(...lines);
    this.#notify();
  }

  #addEvent(event: CoreV1Event): void {
    this.#events.set(event.metadata.uid ?? event.metadata.name ?? eventKey(event), event);
    const key = eventKey(event);
    const line = warningNotice(event);
    if (line === undefined || this.#told.has(key) || this.#ended !== undefined) return;
    this.#told.add(key);
    this.#tell([line]);
  }

  #setPod(pod: V1Pod | undefined): void {
    const previous = this.#pod;
    this.#pod = pod;
    this.#synced = true;
    if (this.#ended === undefined && pod !== undefined) this.#tell(waitingNotices(previous, pod));
    this.#evaluate(pod);
    if (pod === undefined) this.stop();
    this.#notify();
  }

  #evaluate(pod: V1Pod | undefined): void {
    if (!this.#synced || this.#ended !== undefined || this.#finishing) return;
    this.#context.timeoutSeconds = pod?.spec?.activeDeadlineSeconds ?? this.#context.timeoutSeconds;
    const outcome = podOutcome(pod, this.#context);
    if (outcome !== undefined) {
      this.#finish(outcome, outcome.status === 'failed');
      return;
    }
    if (waitingToRun(pod, this.#context)) {
      this.#pendingTimer ??= setTimeout(() => this.#pendingTooLong(), this.options.pendingTimeoutMs);
    } else {
      clearTimeout(this.#pendingTimer);
      this.#pendingTimer = undefined;
    }
  }

  #pendingTooLong(): void {
    this.#pendingTimer = undefined;
    if (this.#ended !== undefined || this.#finishing || !waitingToRun(this.#pod, this.#context)) return;
    this.#finishing = true;
    const waited = formatDuration(this.options.pendingTimeoutMs);
    const reason = pendingReason(this.#pod);
    void this.#freshEvents().then((events) => {
      const notices = pendingTimeoutNotices(this.options.pendingTimeoutMs, reason, events);
      this.#tell(notices);
      this.#end({
        status: 'failed',
        reason: `${reason} (the runner pod did not start within ${waited})`,
        pendingTooLong: { waitedMs: this.options.pendingTimeoutMs, reason, events: notices.slice(1) },
      });
    });
  }

  /** The pod's events as the API has them now (what the watch delivered, when the API fails). */
  async #freshEvents(): Promise<CoreV1Event[]> {
    try {
      const listed = await abortable(this.#listEvents(), AbortSignal.timeout(5000));
      for (const e of listed.items) this.#addEvent(e);
    } catch (err) {
      this.options.logger.debug({ pod: this.options.name, err: describeFailure(err) }, 'events not listed');
    }
    return [...this.#events.values()];
  }

  /** Ends the stage; a failure first catches up with Warning events that explain it. */
  #finish(result: StageResult, catchUpEvents: boolean): void {
    if (!catchUpEvents) {
      this.#end(result);
      return;
    }
    this.#finishing = true;
    void this.#freshEvents().then(() => this.#end(result));
  }

  #end(result: StageResult): void {
    if (this.#ended !== undefined) return;
    this.#ended = result;
    clearTimeout(this.#pendingTimer);
    this.#stopEvents.abort();
    this.#idleTimer = setTimeout(() => this.stop(), IDLE_WATCH_MS);
    this.#idleTimer.unref();
    this.#resolve(result);
    this.#notify();
  }
}
