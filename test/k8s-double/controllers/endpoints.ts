/** Endpoints of a Service from the pods it selects (pure): one subset per pod, as ports differ. */
import { PORT_ANNOTATION, PORTS_ANNOTATION } from '../pods/pod-ports.js';
import type { KubeObject } from '../types.js';
import { isActive, isReady } from './pods.js';

/** The host port a pod serves a service's targetPort on (its own port map, else its PORT). */
export function podHostPort(pod: KubeObject, targetPort: number | string | undefined): number | undefined {
  const primary = Number(pod.metadata.annotations?.[PORT_ANNOTATION]);
  if (!primary) return undefined;
  let map: Record<string, number> = {};
  try {
    map = JSON.parse(pod.metadata.annotations?.[PORTS_ANNOTATION] ?? '{}') as Record<string, number>;
  } catch {
    map = {};
  }
  let containerPort: number | undefined;
  if (typeof targetPort === 'string' && !/^\d+$/.test(targetPort)) {
    for (const c of pod.spec?.containers ?? []) {
      const p = (c.ports ?? []).find((x: { name?: string }) => x.name === targetPort);
      if (p) containerPort = p.containerPort;
    }
  } else if (targetPort !== undefined) containerPort = Number(targetPort);
  return (containerPort !== undefined ? map[String(containerPort)] : undefined) ?? primary;
}

interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
}

export function selectedPods(service: KubeObject, pods: KubeObject[]): KubeObject[] {
  const selector: Record<string, string> | undefined = service.spec?.selector;
  if (!selector || Object.keys(selector).length === 0) return [];
  return pods.filter(
    (p) => isActive(p) && Object.entries(selector).every(([k, v]) => p.metadata.labels?.[k] === v),
  );
}

export function endpointsSubsets(service: KubeObject, pods: KubeObject[], nodeName: string) {
  const ports: ServicePort[] = service.spec?.ports ?? [];
  const subsets = [];
  for (const pod of selectedPods(service, pods)) {
    if (!pod.metadata.annotations?.[PORT_ANNOTATION]) continue;
    const address = {
      ip: '127.0.0.1',
      nodeName,
      targetRef: {
        kind: 'Pod',
        namespace: pod.metadata.namespace,
        name: pod.metadata.name,
        uid: pod.metadata.uid,
      },
    };
    subsets.push({
      ...(isReady(pod) ? { addresses: [address] } : { notReadyAddresses: [address] }),
      ports: ports.map((p) => ({
        ...(p.name ? { name: p.name } : {}),
        port: podHostPort(pod, p.targetPort ?? p.port),
        protocol: p.protocol ?? 'TCP',
      })),
    });
  }
  return subsets;
}
