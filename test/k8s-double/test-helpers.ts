/** Shared setup for the double's own tests: a double, clients from its kubeconfig, waiters. */
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  type KubernetesObject,
  NetworkingV1Api,
  Watch,
} from '@kubernetes/client-node';
import Dockerode from 'dockerode';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect } from 'vitest';
import { type K8sDouble, type K8sDoubleOptions, startK8sDouble } from './index.js';
import { LABEL_INSTANCE, LABEL_NAMESPACE } from './pods/labels.js';

export const docker = new Dockerode();

async function ping(): Promise<boolean> {
  try {
    await docker.ping();
    return true;
  } catch {
    return false;
  }
}

export const dockerUp = await ping();

/**
 * `describe` for suites that need the Docker engine: skipped locally without one, but with
 * CI=true it runs and fails in beforeAll — a suite that skipped Docker is not green.
 */
export const describeWithDocker = dockerUp || process.env.CI === 'true' ? describe : describe.skip;

export function requireDocker(): void {
  if (!dockerUp)
    throw new Error('Docker engine not reachable (start dockerd); with CI=true this fails, it never skips');
}

export interface Harness {
  double: K8sDouble;
  kc: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  net: NetworkingV1Api;
}

export async function startHarness(opts: K8sDoubleOptions = {}): Promise<Harness> {
  const double = await startK8sDouble(opts);
  const kc = new KubeConfig();
  kc.loadFromFile(double.kubeconfigPath);
  return {
    double,
    kc,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    net: kc.makeApiClient(NetworkingV1Api),
  };
}

let counter = 0;
export const uniqueName = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${counter++}`;

export const busybox = 'ferry-test/busybox:latest';
export const nodeImage = 'ferry-test/node:20';

/** The Status body and HTTP code of a rejected client call. */
export async function apiError(
  call: Promise<unknown>,
): Promise<{ code: number; status: Record<string, unknown> }> {
  try {
    await call;
  } catch (err) {
    const e = err as { code?: number; body?: unknown };
    const body =
      typeof e.body === 'string'
        ? (JSON.parse(e.body) as Record<string, unknown>)
        : ((e.body ?? {}) as Record<string, unknown>);
    return { code: e.code ?? 0, status: body };
  }
  throw new Error('expected the API call to fail');
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Watches `path` until `predicate` holds for an event's object; the watch is aborted in finally. */
export async function watchUntil<T extends KubernetesObject>(
  kc: KubeConfig,
  path: string,
  query: Record<string, string | number | boolean>,
  predicate: (type: string, obj: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  let controller: AbortController | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<T>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`watch ${path} timed out`)), timeoutMs);
      new Watch(kc)
        .watch(
          path,
          query,
          (type, obj: T) => {
            if (predicate(type, obj)) resolve(obj);
          },
          (err) => reject(err ?? new Error(`watch ${path} ended`)),
        )
        .then((c) => {
          controller = c;
        }, reject);
    });
  } finally {
    clearTimeout(timer);
    controller?.abort();
  }
}

/** Docker containers of this double in a namespace (or in all namespaces). */
export async function containersOf(
  double: K8sDouble,
  namespace?: string,
): Promise<Dockerode.ContainerInfo[]> {
  const label = [
    `${LABEL_INSTANCE}=${double.instanceId}`,
    ...(namespace ? [`${LABEL_NAMESPACE}=${namespace}`] : []),
  ];
  return docker.listContainers({ all: true, filters: { label } });
}

/** Deletes a namespace and waits until it and every container of it are gone. */
export async function deleteNamespace(h: Harness, namespace: string): Promise<void> {
  await h.core.deleteNamespace({ name: namespace }).catch(() => undefined);
  await waitFor(
    `namespace ${namespace} to go`,
    async () => (await apiError(h.core.readNamespace({ name: namespace }))).code === 404,
    60_000,
  );
  await waitFor(
    `containers of ${namespace} to go`,
    async () => (await containersOf(h.double, namespace)).length === 0,
    30_000,
  );
}

/**
 * The lifecycle of a suite that runs pods: one double for the suite (no container left once it is
 * closed), a fresh namespace per test (no container left once it is deleted). `bind` receives the
 * harness, then each test's namespace.
 */
export function podSuiteLifecycle(
  prefix: string,
  bind: { harness(h: Harness): void; namespace(ns: string): void },
  opts: K8sDoubleOptions = {},
): void {
  let h: Harness | undefined;
  let ns = '';
  beforeAll(async () => {
    requireDocker();
    h = await startHarness(opts);
    bind.harness(h);
  });
  afterAll(async () => {
    await h?.double.close();
    if (h) expect(await h.double.leftovers()).toEqual([]);
  });
  beforeEach(async () => {
    ns = uniqueName(prefix);
    await h!.core.createNamespace({ body: { metadata: { name: ns } } });
    bind.namespace(ns);
  });
  afterEach(async () => {
    await deleteNamespace(h!, ns);
    expect(await containersOf(h!.double)).toEqual([]);
  });
}
