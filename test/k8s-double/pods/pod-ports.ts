/**
 * A pod's loopback ports. Pods share the host network, so the pod gets a primary port (its
 * `PORT`) and one more per further declared containerPort; probes and services that name a
 * declared port (by number or name) are sent to the port that stands for it.
 */
import type { Container, PodSpec } from '../api/kinds/pod-spec.js';
import type { PortAllocator } from './ports.js';

export const PORT_ANNOTATION = 'k8s-double/port';
export const PORTS_ANNOTATION = 'k8s-double/ports';
/**
 * Double-only: pods share the host's network, so two replicas cannot both listen on their
 * containerPort. A program that reads its port from another variable than `PORT` is named here
 * (comma-separated), and the double sets those variables to the container's port too. A real
 * cluster ignores the annotation (each pod has its own network namespace there).
 */
export const PORT_ENV_ANNOTATION = 'k8s-double/port-env';

export function portEnvNames(annotations: Record<string, string> | undefined): string[] {
  return (annotations?.[PORT_ENV_ANNOTATION] ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter((n) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(n));
}

export class PodPorts {
  /** containerPort → host port. */
  private readonly map = new Map<number, number>();
  private primary: number | undefined;

  constructor(
    private readonly spec: PodSpec,
    private readonly allocator: PortAllocator,
  ) {}

  async allocate(): Promise<void> {
    const declared: number[] = [];
    for (const c of [...(this.spec.initContainers ?? []), ...this.spec.containers]) {
      for (const p of c.ports ?? []) if (!declared.includes(p.containerPort)) declared.push(p.containerPort);
    }
    this.primary = await this.allocator.allocate();
    if (declared.length > 0) this.map.set(declared[0]!, this.primary);
    for (const p of declared.slice(1)) this.map.set(p, await this.allocator.allocate());
  }

  get primaryPort(): number | undefined {
    return this.primary;
  }

  /** A probe's or service's port (number or named container port) → the host port. */
  resolve(port: number | string): number {
    if (typeof port === 'string' && !/^\d+$/.test(port)) {
      for (const c of this.spec.containers) {
        const found = c.ports?.find((p) => p.name === port);
        if (found) return this.map.get(found.containerPort) ?? found.containerPort;
      }
      return this.primary ?? 0;
    }
    const n = Number(port);
    return this.map.get(n) ?? n;
  }

  /** The `PORT` a container gets: the port standing for its first declared one, else the primary. */
  forContainer(c: Container): number | undefined {
    const first = c.ports?.[0]?.containerPort;
    return (first !== undefined ? this.map.get(first) : undefined) ?? this.primary;
  }

  annotations(): Record<string, string> {
    return {
      [PORT_ANNOTATION]: String(this.primary),
      [PORTS_ANNOTATION]: JSON.stringify(Object.fromEntries([...this.map].map(([k, v]) => [String(k), v]))),
    };
  }

  release(): void {
    for (const port of new Set([...this.map.values(), ...(this.primary ? [this.primary] : [])]))
      this.allocator.release(port);
  }
}
