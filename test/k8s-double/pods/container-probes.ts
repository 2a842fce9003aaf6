/**
 * The probes of one running container, wired as the kubelet does: a startup probe gates the
 * others; readiness sets `ready` (no probe: ready once running); liveness and startup
 * failures kill the container so its restart policy applies.
 */
import type { Container } from '../api/kinds/pod-spec.js';
import { Prober, type ProbeTarget } from './probes.js';

export interface ProbeHooks {
  setReady(ready: boolean): void;
  setStarted(started: boolean): void;
  warn(reason: string, message: string): void;
  normal(reason: string, message: string): void;
  kill(): void;
}

export function startContainerProbes(
  c: Container | undefined,
  target: ProbeTarget,
  maxPeriodMs: number,
  hooks: ProbeHooks,
): Prober[] {
  const probers: Prober[] = [];
  const run = (p: Prober) => {
    probers.push(p);
    p.start();
  };
  const startReadinessAndLiveness = () => {
    if (c?.readinessProbe) {
      run(
        new Prober(c.readinessProbe, target, maxPeriodMs, (ok, message) => {
          hooks.setReady(ok);
          if (!ok) hooks.warn('Unhealthy', `Readiness probe failed: ${message ?? ''}`);
        }),
      );
    } else hooks.setReady(true);
    if (c?.livenessProbe) {
      run(
        new Prober(c.livenessProbe, target, maxPeriodMs, (ok, message) => {
          if (ok) return;
          hooks.warn('Unhealthy', `Liveness probe failed: ${message ?? ''}`);
          hooks.normal('Killing', `Container ${c.name} failed liveness probe, will be restarted`);
          hooks.kill();
        }),
      );
    }
  };
  if (c?.startupProbe) {
    hooks.setStarted(false);
    const startup: Prober = new Prober(c.startupProbe, target, maxPeriodMs, (ok, message) => {
      startup.stop();
      if (ok) {
        hooks.setStarted(true);
        startReadinessAndLiveness();
        return;
      }
      hooks.warn('Unhealthy', `Startup probe failed: ${message ?? ''}`);
      hooks.kill();
    });
    run(startup);
  } else startReadinessAndLiveness();
  return probers;
}
