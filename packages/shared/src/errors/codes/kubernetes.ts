import { defineError } from '../define-error.js';

// The Kubernetes executor (packages/server/src/executors/kubernetes): what stops a runner pod from
// being created or reached. Unknown runners and invalid jobs use the executor area's codes.
export const KUBERNETES_CONFIG = defineError(
  'FERRY_ERR_KUBERNETES_CONFIG',
  500,
  'No usable Kubernetes credentials: {reason}. Set executor.kubernetes.kubeconfig (and context), run Ferry in the cluster with a service account, or provide ~/.kube/config.',
);
export const KUBERNETES_FORBIDDEN = defineError(
  'FERRY_ERR_KUBERNETES_FORBIDDEN',
  502,
  'Kubernetes refused to {action} in namespace {namespace}: {reason}. Grant Ferry the Role in deploy/rbac/runner-executor.yaml.',
);
export const KUBERNETES_QUOTA = defineError(
  'FERRY_ERR_KUBERNETES_QUOTA',
  502,
  'The runner pod was refused by a ResourceQuota of namespace {namespace}: {reason}. Raise the quota or lower the stage resources.',
);
export const KUBERNETES_API = defineError(
  'FERRY_ERR_KUBERNETES_API',
  502,
  'The Kubernetes API failed to {action}: {reason}. Check the cluster and retry.',
);
