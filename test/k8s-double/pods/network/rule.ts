/**
 * Which pods get a network namespace of their own on the double's node, and which loopback
 * addresses such a pod reaches over the "cluster network". Pure.
 *
 * Kubernetes (kubernetes.io/docs/concepts/workloads/pods, "Pod networking", v1.31): "Each Pod is
 * assigned a unique IP address for each address family. Every container in a Pod shares the network
 * namespace, including the IP address and network ports", unless `spec.hostNetwork` (k8s.io/api
 * core/v1 types.go, PodSpec.HostNetwork: "Host networking requested for this pod. Use the host's
 * network namespace."). The double has no pod network (no bridge may exist here, traffic stays on
 * loopback), so it gives a pod its own namespace only where that can be honest: where nothing the
 * double runs has to dial a port of the pod that the pod chose itself. A pod that declares a
 * containerPort or has an httpGet/tcpSocket/grpc probe or lifecycle handler keeps the host's network
 * and the double's port remapping (`PORT`, pod-ports.ts): a probe or a Service's backend must see a
 * refused connection as refused, which a relay into the namespace cannot give (it accepts first).
 */
import type { Container, PodSpec } from '../../api/kinds/pod-spec.js';

export type PodNetworkChoice = { own: true } | { own: false; reason: string };

function dialsThePod(c: Container): string | undefined {
  if ((c.ports ?? []).length > 0) return `container ${c.name} declares ports`;
  for (const [what, probe] of [
    ['livenessProbe', c.livenessProbe],
    ['readinessProbe', c.readinessProbe],
    ['startupProbe', c.startupProbe],
  ] as const) {
    if (probe?.httpGet || probe?.tcpSocket || probe?.grpc) return `container ${c.name} has a network ${what}`;
  }
  for (const [what, handler] of [
    ['postStart', c.lifecycle?.postStart],
    ['preStop', c.lifecycle?.preStop],
  ] as const) {
    if (handler?.httpGet || handler?.tcpSocket) return `container ${c.name} has a network ${what} handler`;
  }
  return undefined;
}

/** Whether the pod runs in a network namespace of its own (see above), or why not. */
export function podNetworkChoice(spec: PodSpec): PodNetworkChoice {
  if (spec.hostNetwork === true) return { own: false, reason: 'hostNetwork' };
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    const reason = dialsThePod(c);
    if (reason !== undefined) return { own: false, reason };
  }
  return { own: true };
}

/** A TCP address the pod's namespace listens at and the host end it is carried to. */
export interface EgressAddress {
  /** Where the pod dials (inside its namespace). */
  listen: string;
  port: number;
  /** Where the double connects on the host. */
  host: string;
}

export const egressKey = (a: EgressAddress): string => `${a.listen}:${a.port}`;

const LOOPBACK_ADDRESS = /(?<![\w.-])(127(?:\.\d{1,3}){3}|localhost|\[::1\]):(\d{1,5})(?!\d)/g;

/**
 * Loopback addresses named in the pod's own text (its containers' environment): on
 * the double every address of the cluster network is a loopback one, so these are the addresses
 * the pod was told to reach (the git server, the registry, a kubeconfig's server). `localhost`
 * is reached at 127.0.0.1 and ::1 in the namespace.
 */
export function namedLoopbackAddresses(texts: Iterable<string>): EgressAddress[] {
  const found = new Map<string, EgressAddress>();
  for (const text of texts) {
    for (const m of text.matchAll(LOOPBACK_ADDRESS)) {
      const port = Number(m[2]);
      if (port < 1 || port > 65535) continue;
      const name = m[1] as string;
      const addresses: EgressAddress[] =
        name === 'localhost'
          ? [
              { listen: '127.0.0.1', port, host: '127.0.0.1' },
              { listen: '::1', port, host: '::1' },
            ]
          : name === '[::1]'
            ? [{ listen: '::1', port, host: '::1' }]
            : [{ listen: name, port, host: name }];
      for (const a of addresses) found.set(egressKey(a), a);
    }
  }
  return [...found.values()];
}

/**
 * The text of a container that says where it is to connect: its resolved environment (a clone URL,
 * a registry, a kubeconfig). Not its command and args: those name as often what the container
 * itself listens at (`httpd -p 127.0.0.1:6379`), which a forwarder holding it would take away.
 */
export function containerTexts(env: readonly (readonly [string, string])[]): string[] {
  return env.map(([, v]) => v);
}
