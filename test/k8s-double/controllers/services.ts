/**
 * Services: an Endpoints object per service with a selector, and loopback TCP proxies per
 * service port that connect each new connection to a ready pod, round-robin — what kube-proxy
 * does (kubernetes v1.31 pkg/proxy: a ClusterIP Service's `clusterIP:port` reaches its
 * endpoints, a NodePort/LoadBalancer one also `<node IP>:nodePort`):
 * - on the Service's ClusterIP (a 127.96.x.y address: all of 127.0.0.0/8 is loopback) at the
 *   Service's own port, so a pod reaches `clusterIP:port`, and the name, through its hosts file
 *   (pods/hosts-file.ts), as in a cluster;
 * - on 127.0.0.1 at its nodePort when it has one, else at a port the double allocates (tests
 *   on the host use that one: serviceUrl).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { rfc3339 } from '../api/clock.js';
import { R } from '../api/resources.js';
import type { DoubleLogger } from '../logger.js';
import type { PortAllocator } from '../pods/ports.js';
import { hasClusterIP } from '../pods/service-links.js';
import type { ChangeEvent, Store } from '../store/store.js';
import type { KubeObject } from '../types.js';
import { QueueController } from './controller.js';
import { endpointsSubsets, podHostPort, selectedPods } from './endpoints.js';
import { isReady } from './pods.js';
import { keyOf, splitKey } from './queue.js';

interface Proxy {
  server: Server;
  listenPort: number;
  servicePort: number;
  portName?: string;
  sockets: Set<Socket>;
  /** Whether listenPort came from the allocator (and goes back to it). */
  allocated: boolean;
  /** The listener at `clusterIP:servicePort`, when the Service has a ClusterIP. */
  cluster?: { server: Server; address: string };
}

export class ServiceController extends QueueController {
  private readonly proxies = new Map<string, Proxy[]>();
  private readonly rr = new Map<string, number>();

  constructor(
    store: Store,
    private readonly ports: PortAllocator,
    private readonly nodeName: () => string,
    private readonly logger: DoubleLogger,
  ) {
    super(store, 'service', logger);
  }

  protected onChange(e: ChangeEvent): void {
    if (e.def === R.services) this.queue.add(keyOf(e.object.metadata.namespace, e.object.metadata.name));
    if (e.def === R.pods)
      for (const s of this.store.peekAll(R.services, e.object.metadata.namespace))
        this.queue.add(keyOf(s.metadata.namespace, s.metadata.name));
  }

  override async stop(): Promise<void> {
    await super.stop();
    for (const key of [...this.proxies.keys()]) await this.closeProxies(key);
  }

  /** Ready pods behind a service port, as `http://127.0.0.1:<pod port>` URLs. */
  podUrls(namespace: string, name: string, port?: number | string): string[] {
    const svc = this.store.peek(R.services, namespace, name);
    if (!svc) return [];
    const sp = this.servicePort(svc, port);
    if (!sp) return [];
    return selectedPods(svc, this.store.peekAll(R.pods, namespace))
      .filter(isReady)
      .map((p) => podHostPort(p, sp.targetPort ?? sp.port))
      .filter((p): p is number => p !== undefined)
      .map((p) => `http://127.0.0.1:${p}`);
  }

  /** The loopback port of the service's proxy for a service port (number or name). */
  proxyPort(namespace: string, name: string, port?: number | string): number | undefined {
    const list = this.proxies.get(keyOf(namespace, name)) ?? [];
    const found =
      port === undefined ? list[0] : list.find((p) => p.servicePort === Number(port) || p.portName === port);
    return found?.listenPort;
  }

  private servicePort(
    svc: KubeObject,
    port?: number | string,
  ): { name?: string; port: number; targetPort?: number | string } | undefined {
    const ports: { name?: string; port: number; targetPort?: number | string }[] = svc.spec?.ports ?? [];
    if (port === undefined) return ports[0];
    return ports.find((p) => p.port === Number(port) || p.name === port);
  }

  protected async reconcile(key: string): Promise<void> {
    const [ns, name] = splitKey(key);
    const svc = this.store.peek(R.services, ns, name);
    if (!svc) {
      await this.closeProxies(key);
      this.store.remove(R.endpoints, ns, name);
      return;
    }
    await this.syncProxies(key, svc);
    if (!svc.spec?.selector) return;
    const subsets = endpointsSubsets(svc, this.store.peekAll(R.pods, ns), this.nodeName());
    const existing = this.store.peek(R.endpoints, ns, name);
    if (!existing) {
      this.store.insert(R.endpoints, {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: {
          name,
          namespace: ns,
          uid: crypto.randomUUID(),
          resourceVersion: '',
          creationTimestamp: rfc3339(),
          labels: { ...(svc.metadata.labels ?? {}) },
        },
        subsets,
      });
    } else {
      this.store.mutate(R.endpoints, ns, name, (o) => {
        o.subsets = subsets;
        return true;
      });
    }
  }

  private async syncProxies(key: string, svc: KubeObject): Promise<void> {
    const ports: { name?: string; port: number; nodePort?: number }[] = svc.spec?.ports ?? [];
    const clusterIP: string | undefined = hasClusterIP(svc) ? svc.spec.clusterIP : undefined;
    const current = this.proxies.get(key) ?? [];
    const wanted = ports.map((p) => ({
      servicePort: p.port,
      ...(p.name ? { portName: p.name } : {}),
      nodePort: p.nodePort,
    }));
    const same =
      current.length === wanted.length &&
      current.every(
        (c, i) =>
          c.servicePort === wanted[i]!.servicePort &&
          c.cluster?.address === clusterIP &&
          (wanted[i]!.nodePort === undefined || wanted[i]!.nodePort === c.listenPort),
      );
    if (same) return;
    await this.closeProxies(key);
    const list: Proxy[] = [];
    for (const w of wanted) {
      const allocated = w.nodePort === undefined;
      const listenPort = w.nodePort ?? (await this.ports.allocate());
      const proxy: Proxy = {
        server: createServer(),
        listenPort,
        servicePort: w.servicePort,
        ...(w.portName ? { portName: w.portName } : {}),
        sockets: new Set(),
        allocated,
      };
      proxy.server.on('connection', (client) => this.forward(key, w.servicePort, client, proxy));
      await this.listen(key, proxy.server, '127.0.0.1', listenPort);
      if (clusterIP !== undefined && /^127\./.test(clusterIP)) {
        const server = createServer();
        server.on('connection', (client) => this.forward(key, w.servicePort, client, proxy));
        if (await this.listen(key, server, clusterIP, w.servicePort))
          proxy.cluster = { server, address: clusterIP };
      }
      list.push(proxy);
    }
    this.proxies.set(key, list);
  }

  private listen(key: string, server: Server, host: string, port: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      server.once('error', (err) => {
        this.logger.warn({ service: key, host, port, err: String(err) }, 'service proxy could not listen');
        resolve(false);
      });
      server.listen(port, host, () => resolve(true));
    });
  }

  private forward(key: string, servicePort: number, client: Socket, proxy: Proxy): void {
    const [ns, name] = splitKey(key);
    const urls = this.podUrls(ns, name, servicePort);
    if (urls.length === 0) {
      client.destroy();
      return;
    }
    const n = (this.rr.get(key) ?? 0) % urls.length;
    this.rr.set(key, n + 1);
    const port = Number(new URL(urls[n]!).port);
    const upstream = connect({ host: '127.0.0.1', port });
    proxy.sockets.add(client);
    proxy.sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      proxy.sockets.delete(client);
      proxy.sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  private async closeProxies(key: string): Promise<void> {
    const list = this.proxies.get(key) ?? [];
    this.proxies.delete(key);
    for (const p of list) {
      for (const s of p.sockets) s.destroy();
      await new Promise<void>((resolve) => p.server.close(() => resolve()));
      if (p.cluster) await new Promise<void>((resolve) => p.cluster?.server.close(() => resolve()));
      if (p.allocated) this.ports.release(p.listenPort);
    }
  }
}
