import type { V1Deployment, V1ReplicaSet } from '@kubernetes/client-node';
import { callOptions, type KubeClients } from './kube-clients.js';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const POD_TEMPLATE_HASH = 'pod-template-hash';

export function revisionOf(o: { metadata?: { annotations?: Record<string, string> } } | undefined): number {
  return Number(o?.metadata?.annotations?.[REVISION_ANNOTATION] ?? 0) || 0;
}

export function labelSelector(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** The labels that select exactly the pods of one ReplicaSet (its selector and its template hash). Pure. */
export function replicaSetPodSelector(rs: V1ReplicaSet): string {
  const hash = rs.metadata?.labels?.[POD_TEMPLATE_HASH];
  return labelSelector({
    ...(rs.spec?.selector.matchLabels ?? {}),
    ...(hash ? { [POD_TEMPLATE_HASH]: hash } : {}),
  });
}

/** The Deployment's ReplicaSets (owned by it), newest revision first. */
export async function replicaSetsOf(
  c: KubeClients,
  d: V1Deployment,
  signal: AbortSignal,
): Promise<V1ReplicaSet[]> {
  const namespace = d.metadata?.namespace ?? '';
  const list = await c.apps.listNamespacedReplicaSet(
    { namespace, labelSelector: labelSelector(d.spec?.selector.matchLabels ?? {}) },
    callOptions(signal),
  );
  return list.items
    .filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.uid === d.metadata?.uid) ?? false)
    .sort((a, b) => revisionOf(b) - revisionOf(a));
}

/** The ReplicaSet of the Deployment's current revision. Pure. */
export function currentReplicaSet(d: V1Deployment, sets: readonly V1ReplicaSet[]): V1ReplicaSet | undefined {
  const revision = revisionOf(d);
  return sets.find((rs) => revisionOf(rs) === revision) ?? sets[0];
}

/**
 * The ReplicaSet of the Deployment's new revision, once the controller has seen the Deployment's
 * latest generation (before that its revision is the old one); undefined until then, or while
 * no ReplicaSet carries that revision yet. Unlike currentReplicaSet, never a guess. Pure.
 */
export function newReplicaSet(d: V1Deployment, sets: readonly V1ReplicaSet[]): V1ReplicaSet | undefined {
  if ((d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) return undefined;
  const revision = revisionOf(d);
  return revision === 0 ? undefined : sets.find((rs) => revisionOf(rs) === revision);
}

/** The image of a pod template's (first) container. */
export function templateImage(rs: {
  spec?: { template?: { spec?: { containers?: { image?: string }[] } } };
}): string | undefined {
  return rs.spec?.template?.spec?.containers?.[0]?.image;
}

/**
 * Where a rollback goes: the newest ReplicaSet older than the current one, preferring the one
 * running `previousImage` (the annotation the failed deploy wrote). Pure.
 */
export function rollbackTarget(
  d: V1Deployment,
  sets: readonly V1ReplicaSet[],
  previousImage: string | undefined,
  failedImage: string,
): V1ReplicaSet | undefined {
  const current = revisionOf(currentReplicaSet(d, sets));
  const older = sets.filter((rs) => revisionOf(rs) < current && templateImage(rs) !== failedImage);
  return (
    (previousImage === undefined ? undefined : older.find((rs) => templateImage(rs) === previousImage)) ??
    older[0]
  );
}
