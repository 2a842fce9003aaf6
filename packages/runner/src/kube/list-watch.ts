import { type KubeConfig, type KubernetesObject, Watch } from '@kubernetes/client-node';
import { apiFailure } from '../deploy/api-error.js';

export type ListWatchEvent = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ListWatchOptions<T extends KubernetesObject> {
  readonly kc: KubeConfig;
  /** The collection's path, e.g. `/api/v1/namespaces/<ns>/pods`. */
  readonly path: string;
  /** The kind of its objects (`Pod`): objects of another kind on the stream are ignored. */
  readonly kind?: string;
  /** Which objects of the collection: a label selector, a field selector, or both. */
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Lists the collection now (a client-node list call: items and the list's resourceVersion). */
  readonly list: (signal: AbortSignal) => Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>;
  /** Every object that exists now: after the first list and after every re-list. */
  readonly onSync: (items: readonly T[]) => void;
  /** A change; a handler that throws ends that watch as a failure (retried like one). */
  readonly onEvent: (type: ListWatchEvent, object: T) => void;
  readonly signal: AbortSignal;
  /** Failures in a row (list or watch, no event between them) before it gives up by throwing; default never. */
  readonly maxFailures?: number;
  /** Told why the watch restarts (for debug logs). */
  readonly onRestart?: (why: string) => void;
  /** Backoff after failures and streams that end at once: doubles from retryDelayMs up to maxRetryDelayMs. */
  readonly retryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
}

/**
 * Watches a collection until `signal` aborts (then it resolves), as client-go's reflector does:
 * list, watch from the list's resourceVersion with bookmarks, resume from the last resourceVersion
 * seen when the stream ends or fails, and list again only when that version has expired (410).
 * Backs off while the server fails or ends streams at once. The open watch request is aborted on
 * the way out.
 */
export async function listWatch<T extends KubernetesObject>(opts: ListWatchOptions<T>): Promise<void> {
  const { signal } = opts;
  const watch = new Watch(opts.kc);
  let resourceVersion: string | undefined;
  /** Failures in a row (errors, and streams that ended within a second without an event): the backoff. */
  let setbacks = 0;
  /** Errors in a row without an event between them: giving up. */
  let errors = 0;
  const progress = () => {
    setbacks = 0;
    errors = 0;
  };
  while (!signal.aborted) {
    const startedAt = Date.now();
    try {
      if (resourceVersion === undefined) {
        const listed = await raceAbort(opts.list(signal), signal);
        opts.onSync(listed.items);
        resourceVersion = listed.metadata?.resourceVersion ?? '0';
        errors = 0;
      }
      const end = await watchOnce(watch, opts, resourceVersion, (rv) => {
        resourceVersion = rv;
        progress();
      });
      if (signal.aborted) return;
      if (end === 'expired') {
        opts.onRestart?.('resourceVersion expired (410): listing again');
        resourceVersion = undefined;
        continue;
      }
      opts.onRestart?.('the watch ended: watching again from the last resourceVersion');
      if (Date.now() - startedAt < 1000) setbacks += 1;
    } catch (err) {
      if (signal.aborted) return;
      const failure = apiFailure(err);
      if (failure.code === 410) resourceVersion = undefined;
      setbacks += 1;
      errors += 1;
      if (opts.maxFailures !== undefined && errors >= opts.maxFailures) throw err;
      opts.onRestart?.(`the watch failed (${failure.message}): retrying`);
    }
    if (setbacks > 0) {
      const delay = Math.min(opts.maxRetryDelayMs ?? 2000, (opts.retryDelayMs ?? 100) * 2 ** (setbacks - 1));
      await sleep(delay, signal);
    }
  }
}

function watchOnce<T extends KubernetesObject>(
  watch: Watch,
  opts: ListWatchOptions<T>,
  resourceVersion: string,
  advance: (rv: string) => void,
): Promise<'closed' | 'expired'> {
  const { signal } = opts;
  return new Promise((resolve, reject) => {
    let controller: AbortController | undefined;
    let expired = false;
    let failure: unknown;
    const stop = () => controller?.abort();
    signal.addEventListener('abort', stop, { once: true });
    const done = (err: unknown) => {
      signal.removeEventListener('abort', stop);
      if (expired) resolve('expired');
      else if (failure !== undefined) reject(failure);
      else if (err !== null && err !== undefined && !signal.aborted) reject(err);
      else resolve('closed');
    };
    const query: Record<string, string | boolean> = { resourceVersion, allowWatchBookmarks: true };
    if (opts.labelSelector !== undefined) query.labelSelector = opts.labelSelector;
    if (opts.fieldSelector !== undefined) query.fieldSelector = opts.fieldSelector;
    watch
      .watch(
        opts.path,
        query,
        (type: string, object: unknown) => {
          if (failure !== undefined || expired) return;
          if (type === 'ERROR') {
            // A Status object (code 410 Expired when the version is gone).
            const status = object as { code?: number; message?: string };
            if (status.code === 410) expired = true;
            else failure = Object.assign(new Error(status.message ?? 'watch error'), { code: status.code });
            stop();
            return;
          }
          const obj = object as T;
          if (opts.kind !== undefined && obj.kind !== undefined && obj.kind !== opts.kind) return;
          const rv = obj.metadata?.resourceVersion;
          if (rv !== undefined) advance(rv);
          if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') {
            try {
              opts.onEvent(type, obj);
            } catch (err) {
              failure = err;
              stop();
            }
          }
        },
        done,
      )
      .then((c) => {
        controller = c;
        if (signal.aborted) c.abort();
      }, done);
  });
}

/** `work`, or the signal's reason as soon as it aborts (a list call may not watch the signal itself). */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  work.catch(() => undefined);
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.finally(() => signal.removeEventListener('abort', onAbort)).then(resolve, reject);
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', wake);
      resolve();
    }, ms);
    const wake = () => {
      clearTimeout(timer);
      resolve();
    };
    signal.addEventListener('abort', wake, { once: true });
  });
}
