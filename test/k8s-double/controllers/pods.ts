/** Pod predicates the controllers share. */
import type { KubeObject } from '../types.js';

export const isTerminal = (p: KubeObject) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
export const isActive = (p: KubeObject) => !isTerminal(p) && !p.metadata.deletionTimestamp;

function readyCondition(p: KubeObject): { status: string; lastTransitionTime?: string } | undefined {
  return (p.status?.conditions ?? []).find((c: { type: string }) => c.type === 'Ready');
}

export const isReady = (p: KubeObject) => readyCondition(p)?.status === 'True';

/** Ready for at least `minReadySeconds`. */
export function isAvailable(p: KubeObject, minReadySeconds: number, now = Date.now()): boolean {
  const c = readyCondition(p);
  if (c?.status !== 'True') return false;
  if (minReadySeconds <= 0) return true;
  return Date.parse(c.lastTransitionTime ?? '') + minReadySeconds * 1000 <= now;
}

export function controllerOf(o: KubeObject): { kind: string; name: string; uid: string } | undefined {
  return o.metadata.ownerReferences?.find((r) => r.controller);
}
