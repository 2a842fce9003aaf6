/**
 * The bootstrap RBAC policy a kube-apiserver v1.31 creates at start
 * (plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go, cluster roles and bindings), for the
 * roles the double's clients rely on: `cluster-admin` (bound to system:masters), `system:discovery`
 * and `system:basic-user` (bound to system:authenticated: discovery, `kubectl auth can-i`,
 * `kubectl auth whoami`), `system:public-info-viewer`. Not created: the aggregated `admin`,
 * `edit` and `view` roles and the controllers' roles.
 */
import type { Registry } from '../api/registry.js';
import { R } from '../api/resources.js';
import type { PolicyRule } from './rules.js';

const meta = (name: string) => ({
  name,
  labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' },
  annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
});

const roles: Record<string, PolicyRule[]> = {
  'cluster-admin': [
    { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
    { verbs: ['*'], nonResourceURLs: ['*'] },
  ],
  'system:discovery': [
    {
      verbs: ['get'],
      nonResourceURLs: [
        '/api',
        '/api/*',
        '/apis',
        '/apis/*',
        '/healthz',
        '/livez',
        '/openapi',
        '/openapi/*',
        '/readyz',
        '/version',
        '/version/',
      ],
    },
  ],
  'system:basic-user': [
    {
      verbs: ['create'],
      apiGroups: ['authorization.k8s.io'],
      resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
    },
    { verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'] },
  ],
  'system:public-info-viewer': [
    { verbs: ['get'], nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'] },
  ],
};

const bindings: Record<string, string[]> = {
  'cluster-admin': ['system:masters'],
  'system:discovery': ['system:authenticated'],
  'system:basic-user': ['system:authenticated'],
  'system:public-info-viewer': ['system:authenticated', 'system:unauthenticated'],
};

export async function createBootstrapPolicy(registry: Registry): Promise<void> {
  const write = { manager: 'kube-apiserver' };
  for (const [name, rules] of Object.entries(roles)) {
    await registry.create(R.clusterroles, undefined, { metadata: meta(name), rules }, write);
  }
  for (const [name, groups] of Object.entries(bindings)) {
    await registry.create(
      R.clusterrolebindings,
      undefined,
      {
        metadata: meta(name),
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
        subjects: groups.map((g) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: g })),
      },
      write,
    );
  }
}
