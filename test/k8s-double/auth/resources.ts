/**
 * The authorization-related resources the double serves, as kube-apiserver v1.31 discovery lists
 * them: rbac.authorization.k8s.io/v1 (stored, full CRUD), and the create-only review resources of
 * authorization.k8s.io/v1 and authentication.k8s.io/v1 (answered, never stored).
 */
import type { ResourceDef } from '../api/resources.js';

const rbac = (
  d: Omit<ResourceDef, 'group' | 'version' | 'subresources' | 'tracksGeneration'>,
): ResourceDef => ({
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  subresources: [],
  tracksGeneration: false,
  ...d,
});

export const rbacResources: readonly ResourceDef[] = [
  rbac({
    plural: 'clusterrolebindings',
    singular: 'clusterrolebinding',
    kind: 'ClusterRoleBinding',
    namespaced: false,
  }),
  rbac({ plural: 'clusterroles', singular: 'clusterrole', kind: 'ClusterRole', namespaced: false }),
  rbac({ plural: 'rolebindings', singular: 'rolebinding', kind: 'RoleBinding', namespaced: true }),
  rbac({ plural: 'roles', singular: 'role', kind: 'Role', namespaced: true }),
];

const review = (group: string, plural: string, kind: string): ResourceDef => ({
  group,
  version: 'v1',
  plural,
  singular: plural.slice(0, -1),
  kind,
  namespaced: false,
  subresources: [],
  tracksGeneration: false,
  createOnly: true,
});

export const reviewResources: readonly ResourceDef[] = [
  review('authorization.k8s.io', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview'),
  review('authorization.k8s.io', 'selfsubjectrulesreviews', 'SelfSubjectRulesReview'),
  review('authentication.k8s.io', 'selfsubjectreviews', 'SelfSubjectReview'),
];
