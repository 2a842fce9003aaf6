/** Who a request comes from, as the apiserver's authenticators describe a user (`user.Info`). */

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/**
 * The double's own kubeconfig user: a member of `system:masters`, which kube-apiserver (v1.31,
 * pkg/kubeapiserver/authorizer/config.go) allows everything before RBAC is asked, and which the
 * bootstrap ClusterRoleBinding `cluster-admin` binds (so `kubectl auth can-i --list` shows `*.*`).
 */
export const ADMIN_USER: UserInfo = {
  username: 'kubernetes-admin',
  groups: ['system:masters', 'system:authenticated'],
};

/** The group every authenticated user is put in (k8s.io/apiserver user.AllAuthenticated). */
export const ALL_AUTHENTICATED = 'system:authenticated';
export const PRIVILEGED_GROUP = 'system:masters';

/**
 * A service account's identity, as k8s.io/apiserver/pkg/authentication/serviceaccount (v1.31)
 * makes it: `system:serviceaccount:<ns>:<name>`, groups `system:serviceaccounts` and
 * `system:serviceaccounts:<ns>`, plus `system:authenticated`.
 */
export function serviceAccountUser(namespace: string, name: string, uid: string): UserInfo {
  return {
    username: serviceAccountUsername(namespace, name),
    uid,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, ALL_AUTHENTICATED],
  };
}

export const serviceAccountUsername = (namespace: string, name: string) =>
  `system:serviceaccount:${namespace}:${name}`;
