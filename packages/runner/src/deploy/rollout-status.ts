import type { V1Deployment } from '@kubernetes/client-node';

export type RolloutStatus =
  | { readonly state: 'done'; readonly message: string }
  | { readonly state: 'progressing'; readonly message: string }
  | { readonly state: 'failed'; readonly message: string };

/**
 * Where a Deployment's rollout stands, as `kubectl rollout status` decides it: the controller
 * must have seen the latest generation; a `Progressing` condition with reason
 * `ProgressDeadlineExceeded` fails it; it is done when every replica is updated, the old ones are
 * gone and the updated ones are available. Pure.
 */
export function rolloutStatus(d: V1Deployment | undefined): RolloutStatus {
  if (d === undefined) return { state: 'failed', message: 'the Deployment is gone' };
  const generation = d.metadata?.generation ?? 0;
  const status = d.status ?? {};
  if ((status.observedGeneration ?? 0) < generation)
    return { state: 'progressing', message: 'waiting for the controller to see the new version' };
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded')
    return {
      state: 'failed',
      message: `no progress within its deadline: ${progressing.message ?? 'ProgressDeadlineExceeded'}`,
    };
  const want = d.spec?.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const total = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  const ready = status.readyReplicas ?? 0;
  if (updated < want) return { state: 'progressing', message: `${updated} of ${want} new replicas updated` };
  if (total > updated)
    return { state: 'progressing', message: `${total - updated} old replicas are pending termination` };
  if (available < updated || ready < updated)
    return {
      state: 'progressing',
      message: `${Math.min(available, ready)} of ${updated} updated replicas are available`,
    };
  return { state: 'done', message: `${updated} of ${want} replicas updated and available` };
}

/** The numbers whose change counts as progress (for Ferry's own no-progress deadline). Pure. */
export function progressKey(d: V1Deployment | undefined): string {
  const s = d?.status ?? {};
  return [s.observedGeneration, s.replicas, s.updatedReplicas, s.readyReplicas, s.availableReplicas].join(
    '/',
  );
}
