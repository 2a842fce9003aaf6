/**
 * StatefulSets (apps/v1): defaulting as kubernetes v1.31 pkg/apis/apps/v1/defaults.go
 * SetDefaults_StatefulSet (OrderedReady, RollingUpdate with partition 0, revisionHistoryLimit 10,
 * PVC retention Retain/Retain, claim templates Filesystem), and the template validation the
 * workloads share (selector, labels, pod spec, restartPolicy Always; selector immutable).
 */
import type { KindBehaviour } from './kind.js';
import { defaultPodSpec, type PodSpec } from './pod-spec.js';
import { validateTemplate } from './workload.js';

export const statefulSetKind: KindBehaviour = {
  nameRule: 'subdomain',
  defaults(obj) {
    obj.spec ??= {};
    const spec = obj.spec;
    spec.replicas ??= 1;
    spec.podManagementPolicy ??= 'OrderedReady';
    spec.updateStrategy ??= {};
    spec.updateStrategy.type ??= 'RollingUpdate';
    if (spec.updateStrategy.type === 'RollingUpdate') {
      spec.updateStrategy.rollingUpdate ??= {};
      spec.updateStrategy.rollingUpdate.partition ??= 0;
    }
    spec.revisionHistoryLimit ??= 10;
    spec.persistentVolumeClaimRetentionPolicy ??= {};
    spec.persistentVolumeClaimRetentionPolicy.whenDeleted ??= 'Retain';
    spec.persistentVolumeClaimRetentionPolicy.whenScaled ??= 'Retain';
    for (const claim of spec.volumeClaimTemplates ?? []) {
      claim.apiVersion ??= 'v1';
      claim.kind ??= 'PersistentVolumeClaim';
      claim.spec ??= {};
      claim.spec.volumeMode ??= 'Filesystem';
      claim.status ??= { phase: 'Pending' };
    }
    if (spec.template) {
      spec.template.metadata ??= {};
      spec.template.spec ??= {};
      defaultPodSpec(spec.template.spec as PodSpec);
    }
  },
  // apps/validation.ValidateStatefulSetSpec validates the template with the claim templates'
  // names added to its volumes (a volumeMount may name a claim template).
  validate(obj, old) {
    const copy = structuredClone(obj);
    const spec = copy.spec?.template?.spec;
    if (spec) {
      const claims: { metadata?: { name?: string } }[] = copy.spec.volumeClaimTemplates ?? [];
      spec.volumes = [
        ...(spec.volumes ?? []),
        ...claims.map((c) => ({ name: c.metadata?.name ?? '', persistentVolumeClaim: { claimName: 'x' } })),
      ];
    }
    return validateTemplate(copy, old);
  },
  prepareCreate(obj) {
    obj.status = { replicas: 0, availableReplicas: 0 };
  },
};
