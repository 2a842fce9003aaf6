/**
 * The Kubernetes test double: an apiserver for the resources Ferry uses, reached by
 * @kubernetes/client-node through an ordinary kubeconfig, whose pods run as containers on the
 * local Docker engine (host network, loopback only). See docs/k8s-double.md.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Taint } from '@kubernetes/client-node';
import Dockerode from 'dockerode';
import { Catalog } from './api/catalog.js';
import type { KindContext } from './api/kinds/index.js';
import { parseQuantity } from './api/quantity.js';
import { Registry } from './api/registry.js';
import { R } from './api/resources.js';
import { ApiError } from './api/status.js';
import { Auth } from './auth/auth.js';
import { createBootstrapPolicy } from './auth/bootstrap.js';
import { podToken } from './auth/pod-token.js';
import { listDoubleContainers, ROOT_PREFIX, removeContainers, sweepOrphans } from './cleanup.js';
import { DeploymentController } from './controllers/deployment.js';
import { GarbageCollector } from './controllers/gc.js';
import { NamespaceController } from './controllers/namespace.js';
import { PvcController } from './controllers/pvc.js';
import { QuotaController } from './controllers/quota.js';
import { ReplicaSetController } from './controllers/replicaset.js';
import { ServiceController } from './controllers/services.js';
import { StatefulSetController } from './controllers/statefulset.js';
import { CrdController } from './crd/controller.js';
import { EventRecorder } from './events.js';
import { type FailureInjection, failureInjection } from './inject.js';
import { type DoubleLogger, defaultLogger } from './logger.js';
import { defaultNodeLabels, type NodeState, publishNode } from './node.js';
import { OpenApiV3 } from './openapi/v3.js';
import { defaultTiming, type KubeletTiming } from './pods/deps.js';
import { Kubelet } from './pods/kubelet.js';
import { PORT_ANNOTATION } from './pods/pod-ports.js';
import { PortAllocator } from './pods/ports.js';
import type { LogSource } from './routes/log.js';
import { Scheduler } from './scheduler.js';
import { startApiServer } from './server/api-server.js';
import { FaultList } from './server/faults.js';
import { kubeconfigYaml } from './server/kubeconfig.js';
import { makeCertificate } from './server/tls.js';
import { Store } from './store/store.js';
import { WatchHub } from './store/watch.js';

export { sweepOrphans } from './cleanup.js';
export type { FailureInjection, RequestFault } from './inject.js';
export type { DoubleLogger } from './logger.js';
export type { KubeletTiming } from './pods/deps.js';
export { LABEL, LABEL_INSTANCE, LABEL_NAMESPACE, LABEL_POD, LABEL_UID } from './pods/labels.js';

export interface K8sDoubleOptions {
  docker?: Dockerode;
  host?: '127.0.0.1';
  /** API server port (default: any free port). */
  port?: number;
  /** First port handed to pods and service proxies (default 31000; a random start within the range). */
  podPortBase?: number;
  /** Size of that range (default 1768, i.e. up to 32767). */
  podPortCount?: number;
  nodeName?: string;
  /** Extra node labels (kubernetes.io/hostname, os and arch are always there). */
  nodeLabels?: Record<string, string>;
  /** Node allocatable resources (default cpu 8, memory 16Gi, pods 110). */
  allocatable?: { cpu?: string; memory?: string; pods?: number };
  taints?: V1Taint[];
  logger?: DoubleLogger;
  /** Serve HTTPS with a generated certificate (default true; false serves HTTP with insecure-skip-tls-verify). */
  tls?: boolean;
  /** The bearer token clients must send (default: random). */
  token?: string;
  /** Kubelet back-offs and probe periods (shortened by default). */
  timing?: Partial<KubeletTiming>;
  /** Interval of watch BOOKMARK events when a client allows them (default 1000 ms). */
  /** How often watches with allowWatchBookmarks get a BOOKMARK; default 60 s, as the apiserver. */
  bookmarkIntervalMs?: number;
  /** Watch history kept for resuming watches (default 5000 events). */
  watchHistory?: number;
  /** Namespaces to create at start, besides default, kube-system, kube-public, kube-node-lease. */
  namespaces?: string[];
  /** Remove containers left by doubles whose process died (default true). */
  sweepOrphans?: boolean;
  /** Where to write the kubeconfig (default: inside the double's temp directory). */
  kubeconfigPath?: string;
  /** The kubelet's seccomp root, where Localhost profiles live (default: `<temp dir>/seccomp`). */
  seccompRoot?: string;
  /**
   * The pod sandbox image (the kubelet's `--pod-infra-container-image`, containerd's sandbox_image):
   * it holds a pod's network namespace (pods/network/). Default `ferry-test/busybox:latest`; it needs
   * `sleep`.
   */
  pauseImage?: string;
}

export interface K8sDouble {
  url: string;
  kubeconfigPath: string;
  kubeconfigYaml: string;
  /** Value of the `ferry.k8s-double.instance` label on this double's containers. */
  instanceId: string;
  nodeName: string;
  inject: FailureInjection;
  /**
   * `http://127.0.0.1:<port>` of the service's loopback proxy for a service port (first port by
   * default), once at least one ready pod backs it. Waits up to `timeoutMs` (default 30 s).
   */
  serviceUrl(
    namespace: string,
    name: string,
    opts?: { port?: number | string; timeoutMs?: number },
  ): Promise<string>;
  /** URLs of the ready pods behind a service port (no proxy). */
  podUrls(namespace: string, name: string, port?: number | string): string[];
  /** The loopback port assigned to a pod (its PORT), once it runs. */
  podPort(namespace: string, pod: string): number | undefined;
  /** The kubelet's seccomp root: put Localhost profiles here. */
  seccompRoot: string;
  /** Docker containers of this double that still exist (ids), for leak checks. */
  leftovers(): Promise<string[]>;
  /** Resolves once the node has stopped the containers of every pod deleted so far. */
  nodeSettled(): Promise<void>;
  close(): Promise<void>;
}

const defaultNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

async function dockerReachable(docker: Dockerode): Promise<boolean> {
  try {
    await docker.ping();
    return true;
  } catch {
    return false;
  }
}

export async function startK8sDouble(opts: K8sDoubleOptions = {}): Promise<K8sDouble> {
  const logger = opts.logger ?? defaultLogger();
  const docker = opts.docker ?? new Dockerode();
  const host = opts.host ?? '127.0.0.1';
  const instanceId = randomBytes(4).toString('hex');
  const rootDir = await mkdtemp(join(tmpdir(), ROOT_PREFIX));
  await writeFile(join(rootDir, 'pid'), String(process.pid));
  const seccompRoot = opts.seccompRoot ?? join(rootDir, 'seccomp');
  await mkdir(seccompRoot, { recursive: true });
  const hasDocker = await dockerReachable(docker);
  if (!hasDocker) logger.warn({}, 'Docker engine not reachable: pods will not start');
  if (hasDocker && opts.sweepOrphans !== false) await sweepOrphans(docker);

  const tls = opts.tls === false ? undefined : await makeCertificate(rootDir);
  const token = opts.token ?? `k8s-double-${randomBytes(16).toString('hex')}`;
  const store = new Store(opts.watchHistory ?? 5000);
  const nodeName = opts.nodeName ?? 'k8s-double';
  const node: NodeState = {
    name: nodeName,
    labels: { ...defaultNodeLabels(nodeName), ...(opts.nodeLabels ?? {}) },
    allocatable: {
      cpu: parseQuantity(opts.allocatable?.cpu ?? '8') ?? 8,
      memory: parseQuantity(opts.allocatable?.memory ?? '16Gi') ?? 16 * 2 ** 30,
      pods: opts.allocatable?.pods ?? 110,
    },
    taints: opts.taints ?? [],
  };
  publishNode(store, node);

  const base = opts.podPortBase ?? 31000;
  const ports = new PortAllocator(
    base,
    opts.podPortCount ?? Math.max(100, 32768 - base),
    opts.podPortBase === undefined,
  );
  let clusterIpCounter = Math.floor(Math.random() * 60000);
  const kindContext: KindContext = {
    now: () => new Date().toISOString(),
    allocateNodePort: async (requested) => {
      try {
        return await ports.allocate(requested);
      } catch (err) {
        throw new ApiError(
          422,
          'Invalid',
          `Service is invalid: spec.ports[0].nodePort: Invalid value: ${requested ?? 0}: ${(err as Error).message}`,
        );
      }
    },
    releaseNodePort: (port) => ports.release(port),
    allocateClusterIP: () => {
      clusterIpCounter = (clusterIpCounter + 1) % 65024;
      return `127.96.${Math.floor(clusterIpCounter / 254)}.${(clusterIpCounter % 254) + 1}`;
    },
  };
  const registry = new Registry(store, kindContext);
  const catalog = new Catalog();
  await createBootstrapPolicy(registry);
  const auth = new Auth(store, token);
  for (const ns of [...defaultNamespaces, ...(opts.namespaces ?? [])]) {
    await registry.create(R.namespaces, undefined, { metadata: { name: ns } }, { manager: 'k8s-double' });
  }

  const events = new EventRecorder(store, nodeName);
  // A real apiserver's watch cache sends bookmarks about once a minute (bookmarkFrequency,
  // k8s.io/apiserver/pkg/storage/cacher); tests that need them sooner set the option.
  const watches = new WatchHub(store, opts.bookmarkIntervalMs ?? 60_000);
  const faults = new FaultList();
  let kubelet: Kubelet | undefined;
  const logs: LogSource = {
    open: (ns, pod, o, signal) => {
      if (!kubelet) throw new ApiError(503, 'ServiceUnavailable', 'kubelet not started');
      return kubelet.open(ns, pod, o, signal);
    },
  };
  const server = await startApiServer({
    host,
    port: opts.port ?? 0,
    ...(tls ? { tls } : {}),
    deps: { registry, watches, logs, auth, openapi: new OpenApiV3(catalog), catalog },
    faults,
    logger,
  });

  const caPem = tls?.cert ?? '';
  kubelet = new Kubelet({
    docker,
    store,
    registry,
    events,
    ports,
    logger,
    instanceId,
    rootDir,
    seccompRoot,
    node: () => node,
    apiPort: server.port,
    pauseImage: opts.pauseImage ?? 'ferry-test/busybox:latest',
    serviceAccount: { caPem, tokenFor: (pod) => podToken(store, auth, pod) },
    timing: { ...defaultTiming, ...(opts.timing ?? {}) },
  });
  const scheduler = new Scheduler(store, events, () => node);
  const services = new ServiceController(store, ports, () => nodeName, logger);
  const controllers = [
    new CrdController(store, catalog, logger),
    new NamespaceController(store, registry, caPem, catalog, logger),
    new GarbageCollector(store, registry, logger),
    new ReplicaSetController(store, registry, events, logger),
    new StatefulSetController(store, registry, events, logger),
    new DeploymentController(store, registry, events, logger),
    new PvcController(store, registry, rootDir, logger),
    new QuotaController(store, logger),
    services,
  ];
  for (const c of controllers) c.start();
  scheduler.start();
  kubelet.start();

  const yaml = kubeconfigYaml({ server: server.url, ...(tls ? { caPem: tls.cert } : {}), token });
  const kubeconfigPath = opts.kubeconfigPath ?? join(rootDir, 'kubeconfig');
  await writeFile(kubeconfigPath, yaml, { mode: 0o600 });

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      watches.closeAll();
      await server.close();
      scheduler.stop();
      for (const c of controllers) await c.stop();
      await kubelet.close();
      if (hasDocker) {
        const left = await listDoubleContainers(docker, instanceId).catch(() => []);
        await removeContainers(
          docker,
          left.map((c) => c.Id),
        );
      }
      ports.releaseAll();
      await rm(rootDir, { recursive: true, force: true });
      if (opts.kubeconfigPath) await rm(opts.kubeconfigPath, { force: true });
    })();
    return closing;
  };

  return {
    url: server.url,
    kubeconfigPath,
    kubeconfigYaml: yaml,
    instanceId,
    nodeName,
    seccompRoot,
    inject: failureInjection({ store, node, scheduler, faults, watches, kubelet }),
    async serviceUrl(namespace, name, o = {}) {
      const deadline = Date.now() + (o.timeoutMs ?? 30_000);
      for (;;) {
        const port = services.proxyPort(namespace, name, o.port);
        if (port !== undefined && services.podUrls(namespace, name, o.port).length > 0)
          return `http://127.0.0.1:${port}`;
        if (Date.now() > deadline) {
          const why = store.peek(R.services, namespace, name) ? 'no ready pod backs it' : 'it does not exist';
          throw new Error(`k8s-double: service ${namespace}/${name} has no URL: ${why}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    podUrls: (namespace, name, port) => services.podUrls(namespace, name, port),
    podPort(namespace, pod) {
      const p = store.peek(R.pods, namespace, pod)?.metadata.annotations?.[PORT_ANNOTATION];
      return p ? Number(p) : undefined;
    },
    async leftovers() {
      return (await listDoubleContainers(docker, instanceId)).map((c) => c.Id);
    },
    async nodeSettled() {
      await kubelet?.settled();
    },
    close,
  };
}
