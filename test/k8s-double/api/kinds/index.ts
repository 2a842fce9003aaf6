import { clusterRoleBindingKind, clusterRoleKind, roleBindingKind, roleKind } from '../../auth/rbac-kinds.js';
import { crdKind } from '../../crd/crd-kind.js';
import { customKind } from '../../crd/custom-kind.js';
import { type ResourceDef, resourceKey } from '../resources.js';
import { configMapKind, secretKind } from './config.js';
import type { KindBehaviour } from './kind.js';
import { eventKind, genericKind, ingressKind, namespaceKind, pvcKind } from './misc.js';
import { podKind } from './pod.js';
import { serviceKind } from './service.js';
import { statefulSetKind } from './stateful-set.js';
import { deploymentKind, replicaSetKind } from './workload.js';

const behaviours: Record<string, KindBehaviour> = {
  'core/namespaces': namespaceKind,
  'core/pods': podKind,
  'core/secrets': secretKind,
  'core/configmaps': configMapKind,
  'core/persistentvolumeclaims': pvcKind,
  'core/services': serviceKind,
  'core/events': eventKind,
  'apps/deployments': deploymentKind,
  'apps/replicasets': replicaSetKind,
  'apps/statefulsets': statefulSetKind,
  'networking.k8s.io/ingresses': ingressKind,
  'rbac.authorization.k8s.io/roles': roleKind,
  'rbac.authorization.k8s.io/clusterroles': clusterRoleKind,
  'rbac.authorization.k8s.io/rolebindings': roleBindingKind,
  'rbac.authorization.k8s.io/clusterrolebindings': clusterRoleBindingKind,
  'apiextensions.k8s.io/customresourcedefinitions': crdKind,
};

export function kindOf(def: ResourceDef): KindBehaviour {
  if (def.custom) return customKind(def.custom);
  return behaviours[resourceKey(def)] ?? genericKind;
}

export type { KindBehaviour, KindContext } from './kind.js';
