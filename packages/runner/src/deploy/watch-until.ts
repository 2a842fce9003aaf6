import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { listWatch } from '../kube/list-watch.js';

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
 * Waits on one object by watching it (listWatch with a field selector on its name: read,
 * then watch from that resourceVersion, resumed when the stream ends, read again when the
 * version expired), deciding on every state and on a tick (for deadlines when nothing happens).
 */
export async function watchUntil<T extends KubernetesObject, R>(opts: WatchUntilOptions<T, R>): Promise<R> {
  const decided = new AbortController();
  let last: T | undefined;
  let result: R | undefined;
  const settle = (object: T | undefined) => {
    last = object;
    if (result !== undefined) return;
    result = opts.decide(object);
    if (result !== undefined) decided.abort();
  };
  const tick = setInterval(() => settle(last), opts.tickMs ?? 1000);
  try {
    await listWatch<T>({
      kc: opts.kc,
      path: opts.path,
      fieldSelector: `metadata.name=${opts.name}`,
      list: async () => {
        const object = await opts.read();
        const resourceVersion = object?.metadata?.resourceVersion;
        return {
          items: object === undefined ? [] : [object],
          metadata: { ...(resourceVersion ? { resourceVersion } : {}) },
        };
      },
      onSync: (items) => settle(items[0]),
      onEvent: (type, object) => settle(type === 'DELETED' ? undefined : object),
      signal: AbortSignal.any([opts.signal, decided.signal]),
      maxFailures: 5,
    });
  } finally {
    clearInterval(tick);
  }
  if (result !== undefined) return result;
  opts.signal.throwIfAborted();
  throw new Error(`the watch on ${opts.name} ended without a decision`);
}
