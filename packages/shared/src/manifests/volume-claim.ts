import type { ResolvedPlan, ResolvedStorage } from '../pipeline-spec/plan.js';
import { serviceLabels } from './labels.js';
import type { VolumeClaimManifest } from './types.js';

/**
 * Shared access when more than one pod mounts the claim at once (several replicas, or a canary
 * beside the main pods); a single writer otherwise. Kubernetes never changes the access modes of
 * an existing claim: a deploy keeps the ones the claim was created with.
 */
export function claimAccessMode(plan: ResolvedPlan): 'ReadWriteMany' | 'ReadWriteOnce' {
  return plan.deploy.replicas > 1 || plan.canary !== null ? 'ReadWriteMany' : 'ReadWriteOnce';
}

/** The service's volume claim (`<service>-data`), only for services that declare storage. */
export function buildVolumeClaim(plan: ResolvedPlan, storage: ResolvedStorage): VolumeClaimManifest {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: plan.names.volumeClaim, namespace: plan.namespace, labels: serviceLabels(plan) },
    spec: {
      accessModes: [claimAccessMode(plan)],
      resources: { requests: { storage: storage.size } },
      ...(storage.storageClass === null ? {} : { storageClassName: storage.storageClass }),
    },
  };
}
