import { type KubeConfig, type KubernetesObject, Watch } from '@kubernetes/client-node';

export type CollectionEvent = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchCollectionOptions<T extends KubernetesObject> {
  readonly kc: KubeConfig;
  /** The collection's path, e.g. `/api/v1/namespaces/<ns>/pods`. */
  readonly path: string;
  /** Which objects of the collection: a label selector, a field selector, or both. */
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Lists the collection now, with the list's resourceVersion. */
  readonly list: () => Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>;
  /** Every object that exists now: after the first list and after every re-list. */
  readonly onSync: (items: readonly T[]) => void;
  readonly onEvent: (type: CollectionEvent, object: T) => void;
  readonly signal: AbortSignal;
  /** Consecutive failures (list or watch) tolerated before giving up; default 5. */
  readonly maxFailures?: number;
}

/**
 * Watches a collection until `signal` aborts (then it resolves): list, watch from the list's
 * resourceVersion with bookmarks, resume from the last resourceVersion seen when the stream
 * ends, list again when that version has expired (410). Throws after `maxFailures` failures in a
 * row. The open watch request is aborted on the way out.
 */
export async function watchCollection<T extends KubernetesObject>(
  opts: WatchCollectionOptions<T>,
): Promise<void> {
  const watch = new Watch(opts.kc);
  let resourceVersion: string | undefined;
  let failures = 0;
  while (!opts.signal.aborted) {
    try {
      if (resourceVersion === undefined) {
        const listed = await opts.list();
        opts.onSync(listed.items);
        resourceVersion = listed.metadata?.resourceVersion ?? '0';
      }
      const end = await watchOnce(watch, opts, resourceVersion, (rv) => {
        resourceVersion = rv;
        failures = 0;
      });
      if (end === 'expired') resourceVersion = undefined;
      // The stream ended (server timeout, dropped connection): watch again after a breath.
      await sleep(200, opts.signal);
      continue;
    } catch (err) {
      if (opts.signal.aborted) return;
      failures += 1;
      if (failures >= (opts.maxFailures ?? 5)) throw err;
    }
    await sleep(Math.min(2000, 100 * 2 ** failures), opts.signal);
  }
}

function watchOnce<T extends KubernetesObject>(
  watch: Watch,
  opts: WatchCollectionOptions<T>,
  resourceVersion: string,
  advance: (rv: string) => void,
): Promise<'closed' | 'expired'> {
  return new Promise((resolve, reject) => {
    let controller: AbortController | undefined;
    let expired = false;
    let failure: Error | undefined;
    const stop = () => controller?.abort();
    opts.signal.addEventListener('abort', stop, { once: true });
    const done = (err: unknown) => {
      opts.signal.removeEventListener('abort', stop);
      if (expired) resolve('expired');
      else if (failure !== undefined) reject(failure);
      else if (err !== null && err !== undefined && !opts.signal.aborted) reject(err);
      else resolve('closed');
    };
    watch
      .watch(
        opts.path,
        {
          ...(opts.labelSelector === undefined ? {} : { labelSelector: opts.labelSelector }),
          ...(opts.fieldSelector === undefined ? {} : { fieldSelector: opts.fieldSelector }),
          resourceVersion,
          allowWatchBookmarks: true,
        },
        (type: string, object: T & { code?: number; message?: string }) => {
          if (type === 'ERROR') {
            if (object.code === 410) expired = true;
            else failure = new Error(object.message ?? 'watch error');
            stop();
            return;
          }
          const rv = object.metadata?.resourceVersion;
          if (rv !== undefined) advance(rv);
          if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') opts.onEvent(type, object);
        },
        done,
      )
      .then((c) => {
        controller = c;
        if (opts.signal.aborted) c.abort();
      }, done);
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
