/**
 * The token a kubelet mounts into a pod: a TokenRequest for the pod's service account bound to
 * the pod (kubernetes v1.31 projected `kube-api-access-*` volume: `expirationSeconds: 3607`), so
 * a pod reaches the API as `system:serviceaccount:<ns>:<serviceAccountName>` with that account's
 * RBAC permissions, and the token stops working when the pod is gone.
 */
import { R } from '../api/resources.js';
import type { Store } from '../store/store.js';
import type { KubeObject } from '../types.js';
import type { Auth } from './auth.js';

export type PodTokenResult = { token: string } | { error: string };

export function podToken(store: Store, auth: Auth, pod: KubeObject): PodTokenResult {
  const namespace = pod.metadata.namespace ?? 'default';
  const name: string = pod.spec?.serviceAccountName || 'default';
  const sa = store.peek(R.serviceaccounts, namespace, name);
  if (!sa) return { error: `failed to fetch token: serviceaccounts ${JSON.stringify(name)} not found` };
  const { token } = auth.tokens.issue({
    namespace,
    serviceAccount: { name, uid: sa.metadata.uid },
    expirationSeconds: 3607,
    pod: { name: pod.metadata.name, uid: pod.metadata.uid },
  });
  return { token };
}
