import { type KubeConfig, type KubernetesObject, Watch } from '@kubernetes/client-node';

export interface WatchUntilOptions<T extends KubernetesObject, R> {
  readonly kc: KubeConfig;
  /** The collection's path, e.g. `/apis/apps/v1/namespaces/<ns>/deployments`. */
  readonly path: string;
  readonly name: string;
  /** Reads the object now (undefined when it does not exist). */
  readonly read: () => Promise<T | undefined>;
  /** A result ends the wait; undefined keeps waiting. Also called every `tickMs` with the last state. */
  readonly decide: (object: T | undefined) => R | undefined;
  readonly signal: AbortSignal;
  readonly tickMs?: number;
}

/**
 * Waits on one object by watching it: read, then watch from that resourceVersion, deciding on
 * every event and on a tick (for deadlines when nothing happens). A watch that ends or expires
 * (410) is started again from a fresh read. The watch is aborted in every case on return.
 */
export async function watchUntil<T extends KubernetesObject, R>(opts: WatchUntilOptions<T, R>): Promise<R> {
  const watch = new Watch(opts.kc);
  let last: T | undefined;
  for (;;) {
    opts.signal.throwIfAborted();
    last = await opts.read();
    const now = opts.decide(last);
    if (now !== undefined) return now;
    let controller: AbortController | undefined;
    let tick: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    try {
      const outcome = await new Promise<{ result: R } | { restart: true }>((resolve, reject) => {
        const settle = (object: T | undefined) => {
          const result = opts.decide(object);
          if (result !== undefined) resolve({ result });
        };
        onAbort = () => reject(opts.signal.reason);
        opts.signal.addEventListener('abort', onAbort, { once: true });
        tick = setInterval(() => settle(last), opts.tickMs ?? 1000);
        watch
          .watch(
            opts.path,
            {
              fieldSelector: `metadata.name=${opts.name}`,
              resourceVersion: last?.metadata?.resourceVersion,
              allowWatchBookmarks: true,
            },
            (type, object: T) => {
              if (type === 'BOOKMARK' || type === 'ERROR') return;
              last = type === 'DELETED' ? undefined : object;
              settle(last);
            },
            () => resolve({ restart: true }),
          )
          .then((c) => {
            controller = c;
          }, reject);
      });
      if ('result' in outcome) return outcome.result;
    } finally {
      if (tick !== undefined) clearInterval(tick);
      if (onAbort !== undefined) opts.signal.removeEventListener('abort', onAbort);
      controller?.abort();
    }
    // The watch ended (timeout, dropped connection, expired version): read again and re-watch.
    await new Promise((r) => setTimeout(r, 200));
  }
}
