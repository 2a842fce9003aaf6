/**
 * listWatch (the one list-and-watch loop of the server's pod tracker and the runner's deploy
 * waits) against the Kubernetes test double, which speaks the watch protocol of the API server
 * (kubernetes.io/docs/reference/using-api/api-concepts, "Efficient detection of changes": a watch
 * from a resourceVersion, BOOKMARK events, ERROR 410 Expired once the history is gone).
 */
import type { V1ConfigMap } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KubeClients, kubeClients } from '../../packages/runner/src/deploy/kube-clients.js';
import { type ListWatchOptions, listWatch } from '../../packages/runner/src/kube/list-watch.js';
import { type K8sDouble, startK8sDouble } from '../k8s-double/index.js';
import { uniqueSuffix } from '../release/release-support.js';
import { connectTestDocker } from '../support/services.js';

let double: K8sDouble;
let c: KubeClients;
const namespace = `listwatch-${uniqueSuffix()}`;

beforeAll(async () => {
  await connectTestDocker();
  // No periodic bookmarks: a watch's resourceVersion then moves only with its own objects, so a
  // change elsewhere followed by expireResourceVersions leaves it behind the history (410).
  double = await startK8sDouble({ namespaces: [namespace], bookmarkIntervalMs: 3_600_000 });
  c = kubeClients(double.kubeconfigYaml, null);
});

afterAll(async () => {
  await double?.close();
});

/** What a watch told its handlers, with a way to wait for a state without sleeping. */
class Seen {
  readonly names = new Set<string>();
  syncs = 0;
  lists = 0;
  readonly restarts: string[] = [];
  readonly #waiters: Array<() => void> = [];

  handlers(
    selector: string,
  ): Pick<ListWatchOptions<V1ConfigMap>, 'list' | 'onSync' | 'onEvent' | 'onRestart'> {
    return {
      list: () => {
        this.lists += 1;
        return c.core.listNamespacedConfigMap({ namespace, labelSelector: selector });
      },
      onSync: (items) => {
        this.syncs += 1;
        this.names.clear();
        for (const i of items) this.names.add(i.metadata?.name ?? '');
        this.#wake();
      },
      onEvent: (type, object) => {
        if (type === 'DELETED') this.names.delete(object.metadata?.name ?? '');
        else this.names.add(object.metadata?.name ?? '');
        this.#wake();
      },
      onRestart: (why) => {
        this.restarts.push(why);
        this.#wake();
      },
    };
  }

  async until(what: () => boolean): Promise<void> {
    while (!what()) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }
}

async function createMap(name: string, label: string): Promise<void> {
  await c.core.createNamespacedConfigMap({
    namespace,
    body: { metadata: { name, labels: { set: label } }, data: { a: '1' } },
  });
}

describe('listWatch', () => {
  it('lists, follows changes, resumes a dropped stream without listing, lists again after 410', async () => {
    const label = `s${uniqueSuffix()}`;
    const selector = `set=${label}`;
    await createMap(`${label}-before`, label);
    const seen = new Seen();
    const stop = new AbortController();
    const done = listWatch<V1ConfigMap>({
      kc: c.kc,
      path: `/api/v1/namespaces/${namespace}/configmaps`,
      kind: 'ConfigMap',
      labelSelector: selector,
      ...seen.handlers(selector),
      signal: stop.signal,
    });
    await seen.until(() => seen.syncs === 1);
    expect([...seen.names]).toEqual([`${label}-before`]);

    await createMap(`${label}-added`, label);
    await createMap(`other-${label}`, `not-${label}`);
    await seen.until(() => seen.names.has(`${label}-added`));

    // The stream ends (an API server restart, a load balancer's idle timeout): watch again from
    // the last resourceVersion, no list.
    expect(double.inject.dropWatches()).toBe(1);
    await c.core.deleteNamespacedConfigMap({ namespace, name: `${label}-before` });
    await seen.until(() => !seen.names.has(`${label}-before`));
    expect(seen.lists).toBe(1);
    expect(seen.restarts).toContain('the watch ended: watching again from the last resourceVersion');

    // The history is gone past the watch's resourceVersion: it gets ERROR 410 and lists again.
    await createMap(`other2-${label}`, `not-${label}`);
    double.inject.expireResourceVersions();
    expect(double.inject.dropWatches()).toBe(1);
    await createMap(`${label}-after`, label);
    await seen.until(() => seen.lists === 2 && seen.names.has(`${label}-after`));
    expect(seen.restarts).toContain('resourceVersion expired (410): listing again');
    expect([...seen.names].sort()).toEqual([`${label}-added`, `${label}-after`]);
    expect(seen.names.has(`other-${label}`)).toBe(false);

    stop.abort();
    await done;
  });

  it('retries a failing server until it answers, and gives up after maxFailures when asked to', async () => {
    const label = `f${uniqueSuffix()}`;
    const selector = `set=${label}`;
    await createMap(`${label}-one`, label);
    const path = `/api/v1/namespaces/${namespace}/configmaps`;

    double.inject.failRequests({ method: 'GET', path, code: 500, times: 3 });
    const seen = new Seen();
    const stop = new AbortController();
    const done = listWatch<V1ConfigMap>({
      kc: c.kc,
      path,
      labelSelector: selector,
      ...seen.handlers(selector),
      signal: stop.signal,
      retryDelayMs: 1,
    });
    await seen.until(() => seen.syncs === 1);
    expect(seen.lists).toBe(4);
    expect(seen.restarts.filter((r) => r.startsWith('the watch failed (500 '))).toHaveLength(3);
    stop.abort();
    await done;

    double.inject.failRequests({ method: 'GET', path, code: 503, times: 10 });
    const giving = new Seen();
    await expect(
      listWatch<V1ConfigMap>({
        kc: c.kc,
        path,
        labelSelector: selector,
        ...giving.handlers(selector),
        signal: new AbortController().signal,
        maxFailures: 3,
        retryDelayMs: 1,
      }),
    ).rejects.toMatchObject({ code: 503 });
    expect(giving.lists).toBe(3);
    double.inject.clearRequestFaults();
  });

  it('treats a handler that throws as a failed watch, and goes on', async () => {
    const label = `h${uniqueSuffix()}`;
    const selector = `set=${label}`;
    const seen = new Seen();
    const stop = new AbortController();
    const handlers = seen.handlers(selector);
    let thrown = false;
    const done = listWatch<V1ConfigMap>({
      kc: c.kc,
      path: `/api/v1/namespaces/${namespace}/configmaps`,
      labelSelector: selector,
      ...handlers,
      onEvent: (type, object) => {
        if (!thrown) {
          thrown = true;
          throw new Error('handler broke');
        }
        handlers.onEvent(type, object);
      },
      signal: stop.signal,
      retryDelayMs: 1,
    });
    await seen.until(() => seen.syncs === 1);
    await createMap(`${label}-one`, label);
    await seen.until(() => seen.restarts.some((r) => r.includes('handler broke')));
    await createMap(`${label}-two`, label);
    await seen.until(() => seen.names.has(`${label}-two`));
    stop.abort();
    await done;
  });
});
