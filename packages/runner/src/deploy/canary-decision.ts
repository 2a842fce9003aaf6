import { AnnotationKey } from '@ferry/shared';
import type { V1Deployment } from '@kubernetes/client-node';

export type CanaryDecision =
  | { readonly decision: 'promote'; readonly by: string }
  | { readonly decision: 'abort'; readonly by: string };

/**
 * What ends a canary step's pause, given the canary Deployment now. In order: an `abort` or
 * `promote` written to its `ferry.dev/canary-decision` annotation (by the orchestrator or an
 * operator); canary pods that stopped being ready (abort); the pause over (promote, in auto mode
 * only). Undefined: keep waiting. Pure.
 */
export function canaryDecision(
  canary: V1Deployment | undefined,
  mode: 'auto' | 'manual',
  pauseOver: boolean,
): CanaryDecision | undefined {
  if (canary === undefined) return { decision: 'abort', by: 'the canary Deployment was deleted' };
  const written = canary.metadata?.annotations?.[AnnotationKey.canaryDecision]?.trim().toLowerCase();
  if (written === 'abort') return { decision: 'abort', by: `${AnnotationKey.canaryDecision}: abort` };
  if (written === 'promote') return { decision: 'promote', by: `${AnnotationKey.canaryDecision}: promote` };
  const want = canary.spec?.replicas ?? 0;
  const ready = canary.status?.readyReplicas ?? 0;
  if ((canary.status?.observedGeneration ?? 0) >= (canary.metadata?.generation ?? 0) && ready < want)
    return { decision: 'abort', by: `only ${ready} of ${want} canary pods are ready` };
  if (pauseOver && mode === 'auto')
    return { decision: 'promote', by: 'the pause is over and the canary stayed ready' };
  return undefined;
}

/** The traffic share of `canary` pods beside `main` ones, in whole percent. Pure. */
export function trafficShare(canary: number, main: number): number {
  return canary + main === 0 ? 0 : Math.round((100 * canary) / (canary + main));
}
