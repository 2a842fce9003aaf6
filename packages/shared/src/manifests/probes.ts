import type { ResolvedProbe } from '../pipeline-spec/plan.js';
import type { ProbeManifest } from './types.js';

/** Whole seconds, as the probe fields take them: rounded up, at least `min`. */
function seconds(ms: number, min: number): number {
  return Math.max(min, Math.ceil(ms / 1000));
}

export function buildProbe(probe: ResolvedProbe): ProbeManifest {
  const action =
    probe.kind === 'http'
      ? { httpGet: { path: probe.path ?? '/', port: probe.port } }
      : { tcpSocket: { port: probe.port } };
  return {
    ...action,
    initialDelaySeconds: seconds(probe.initialDelayMs, 0),
    periodSeconds: seconds(probe.periodMs, 1),
    failureThreshold: probe.failureThreshold,
  };
}
