import { type KubeConfig, type KubernetesObject, Watch } from '@kubernetes/client-node';
import { abortable } from '../../abort/abortable.js';
import { sleep } from './abort.js';
import { apiStatus, describeFailure } from './api-errors.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchSource<T extends KubernetesObject> {
  /** The collection, e.g. `/api/v1/namespaces/ferry-runners/pods`. */
  path: string;
  /** The kind of its objects (`Pod`): objects of another kind on the stream are ignored. */
  kind: string;
  /** Selectors (`fieldSelector`, `labelSelector`); watch parameters are added here. */
  query: Record<string, string>;
  list(): Promise<{ items: T[]; resourceVersion?: string }>;
}

export interface WatchHandler<T extends KubernetesObject> {
  /** The complete current state, after the first list and after every re-list (410 Gone). */
  sync(items: T[]): void;
  event(type: WatchEventType, object: T): void;
}

export interface ResumableWatchOptions {
  /** Told when the watch restarts (for debug logs). */
  onRestart?: (why: string) => void;
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
}

type WatchEnd = 'closed' | 'expired';

/**
 * List, then watch from the list's resourceVersion; when the stream ends or fails, watch again
 * from the last resourceVersion seen (bookmarks included), and list again only when the server
 * says that version is gone (410 Expired). Runs until `signal` aborts; the open watch request is
 * aborted on the way out.
 */
export class ResumableWatch<T extends KubernetesObject> {
  readonly #watch: Watch;

  constructor(
    kc: KubeConfig,
    private readonly source: WatchSource<T>,
    private readonly handler: WatchHandler<T>,
    private readonly options: ResumableWatchOptions = {},
  ) {
    this.#watch = new Watch(kc);
  }

  async run(signal: AbortSignal): Promise<void> {
    let resourceVersion: string | undefined;
    let failures = 0;
    while (!signal.aborted) {
      const startedAt = Date.now();
      try {
        if (resourceVersion === undefined) {
          const listed = await abortable(this.source.list(), signal);
          this.handler.sync(listed.items);
          resourceVersion = listed.resourceVersion ?? '0';
        }
        const end = await this.#watchOnce(resourceVersion, signal, (rv) => {
          resourceVersion = rv;
        });
        if (signal.aborted) return;
        if (end === 'expired') {
          this.options.onRestart?.('resourceVersion expired (410): listing again');
          resourceVersion = undefined;
          continue;
        }
        this.options.onRestart?.('the watch ended: watching again from the last resourceVersion');
        failures = Date.now() - startedAt < 1000 ? failures + 1 : 0;
      } catch (err) {
        if (signal.aborted) return;
        if (apiStatus(err)?.code === 410) resourceVersion = undefined;
        failures += 1;
        this.options.onRestart?.(`the watch failed (${describeFailure(err)}): retrying`);
      }
      if (failures > 0) {
        const base = this.options.retryDelayMs ?? 100;
        const delay = Math.min(this.options.maxRetryDelayMs ?? 2000, base * 2 ** (failures - 1));
        await sleep(delay, signal).catch(() => undefined);
      }
    }
  }

  #watchOnce(resourceVersion: string, signal: AbortSignal, advance: (rv: string) => void): Promise<WatchEnd> {
    return new Promise<WatchEnd>((resolve, reject) => {
      let controller: AbortController | undefined;
      let expired = false;
      let failure: unknown;
      const stop = () => controller?.abort();
      signal.addEventListener('abort', stop, { once: true });
      const onEvent = (type: string, object: unknown) => {
        if (failure !== undefined || expired) return;
        if (type === 'ERROR') {
          const status = object as { code?: number; message?: string };
          if (status.code === 410) expired = true;
          else
            failure = Object.assign(new Error(status.message ?? 'watch error'), { statusCode: status.code });
          stop();
          return;
        }
        const obj = object as T;
        if (obj.kind !== undefined && obj.kind !== this.source.kind) return;
        const rv = obj.metadata?.resourceVersion;
        if (rv !== undefined) advance(rv);
        if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') {
          try {
            this.handler.event(type, obj);
          } catch (err) {
            failure = err;
            stop();
          }
        }
      };
      const onDone = (err: unknown) => {
        signal.removeEventListener('abort', stop);
        if (expired) resolve('expired');
        else if (failure !== undefined) reject(failure);
        else if (err !== null && err !== undefined && !signal.aborted) reject(err);
        else resolve('closed');
      };
      this.#watch
        .watch(
          this.source.path,
          { ...this.source.query, resourceVersion, allowWatchBookmarks: true },
          onEvent,
          onDone,
        )
        .then((c) => {
          controller = c;
          if (signal.aborted) c.abort();
        }, onDone);
    });
  }
}
