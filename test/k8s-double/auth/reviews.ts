/**
 * The self reviews, answered from the caller's own identity and never stored (kubernetes v1.31
 * pkg/registry/authorization/selfsubjectaccessreview, selfsubjectrulesreview and
 * pkg/registry/authentication/selfsubjectreview): 201 with the review and its status.
 * - SelfSubjectAccessReview: `kubectl auth can-i VERB RESOURCE`; exactly one of
 *   resourceAttributes / nonResourceAttributes; status `allowed`, the authorizer's `reason`.
 * - SelfSubjectRulesReview: `kubectl auth can-i --list`; `spec.namespace` required
 *   ("no namespace on request"); the RBAC rules that apply there, resolution errors as
 *   `evaluationError`.
 * - SelfSubjectReview: `kubectl auth whoami`.
 */
import { badRequest, invalid } from '../api/status.js';
import type { Attributes } from './attributes.js';
import type { RbacAuthorizer } from './rbac.js';
import type { UserInfo } from './user.js';

type Body = Record<string, unknown> & { spec?: Record<string, unknown> };

const asBody = (b: unknown): Body =>
  typeof b === 'object' && b !== null && !Array.isArray(b) ? (b as Body) : {};

const envelope = (kind: string, apiVersion: string, body: Body) => ({
  kind,
  apiVersion,
  metadata: { creationTimestamp: null, ...((body.metadata as object | undefined) ?? {}) },
});

export function selfSubjectAccessReview(rbac: RbacAuthorizer, user: UserInfo, raw: unknown) {
  const body = asBody(raw);
  const spec = body.spec ?? {};
  const ra = spec.resourceAttributes as Record<string, string> | undefined;
  const nra = spec.nonResourceAttributes as Record<string, string> | undefined;
  if (ra && nra)
    throw invalid('SelfSubjectAccessReview.authorization.k8s.io', '', '', [
      {
        type: 'Invalid',
        field: 'spec.nonResourceAttributes',
        value: nra,
        detail: 'cannot be specified in combination with resourceAttributes',
      },
    ]);
  if (!ra && !nra)
    throw invalid('SelfSubjectAccessReview.authorization.k8s.io', '', '', [
      {
        type: 'Invalid',
        field: 'spec.resourceAttributes',
        value: null,
        detail: 'exactly one of nonResourceAttributes or resourceAttributes must be specified',
      },
    ]);
  const attrs: Attributes = ra
    ? {
        user,
        verb: ra.verb ?? '',
        resourceRequest: true,
        path: '',
        apiGroup: ra.group ?? '',
        apiVersion: ra.version ?? '',
        resource: ra.resource ?? '',
        subresource: ra.subresource ?? '',
        namespace: ra.namespace ?? '',
        name: ra.name ?? '',
      }
    : {
        user,
        verb: nra?.verb ?? '',
        resourceRequest: false,
        path: nra?.path ?? '',
        apiGroup: '',
        apiVersion: '',
        resource: '',
        subresource: '',
        namespace: '',
        name: '',
      };
  const d = rbac.authorize(attrs);
  return {
    ...envelope('SelfSubjectAccessReview', 'authorization.k8s.io/v1', body),
    spec,
    status: { allowed: d.allowed, ...(d.reason ? { reason: d.reason } : {}) },
  };
}

export function selfSubjectRulesReview(rbac: RbacAuthorizer, user: UserInfo, raw: unknown) {
  const body = asBody(raw);
  const spec = body.spec ?? {};
  const namespace = typeof spec.namespace === 'string' ? spec.namespace : '';
  if (!namespace) throw badRequest('no namespace on request');
  const { rules, errors } = rbac.rulesFor(user, namespace);
  const resourceRules = rules
    .filter((r) => (r.resources ?? []).length > 0)
    .map((r) => ({
      verbs: r.verbs ?? [],
      apiGroups: r.apiGroups ?? [],
      resources: r.resources ?? [],
      ...((r.resourceNames ?? []).length > 0 ? { resourceNames: r.resourceNames } : {}),
    }));
  const nonResourceRules = rules
    .filter((r) => (r.nonResourceURLs ?? []).length > 0)
    .map((r) => ({ verbs: r.verbs ?? [], nonResourceURLs: r.nonResourceURLs ?? [] }));
  return {
    ...envelope('SelfSubjectRulesReview', 'authorization.k8s.io/v1', body),
    spec,
    status: {
      resourceRules,
      nonResourceRules,
      incomplete: false,
      ...(errors.length > 0
        ? { evaluationError: errors.length === 1 ? errors[0] : `[${errors.join(', ')}]` }
        : {}),
    },
  };
}

export function selfSubjectReview(user: UserInfo, raw: unknown) {
  return {
    ...envelope('SelfSubjectReview', 'authentication.k8s.io/v1', asBody(raw)),
    status: {
      userInfo: {
        username: user.username,
        ...(user.uid ? { uid: user.uid } : {}),
        groups: user.groups,
        ...(user.extra ? { extra: user.extra } : {}),
      },
    },
  };
}
