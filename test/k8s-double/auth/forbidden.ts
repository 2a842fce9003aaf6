/**
 * The 403 a denied request gets, worded as k8s.io/apiserver v1.31 words it:
 * pkg/endpoints/handlers/responsewriters/errors.go (`Forbidden`, `forbiddenMessage`) wrapped in
 * k8s.io/apimachinery/pkg/api/errors `NewForbidden`:
 *   pods is forbidden: User "system:serviceaccount:a:b" cannot list resource "pods" in API group "" in the namespace "a"
 *   deployments.apps "web" is forbidden: User "…" cannot patch resource "deployments" in API group "apps" in the namespace "x"
 *   namespaces "x" is forbidden: User "…" cannot get resource "namespaces" in API group "" in the namespace "x"
 *   forbidden: User "…" cannot get path "/metrics"
 * followed by `: <reason>` when the authorizer gave one (e.g. `RBAC: role.rbac… "r" not found`).
 */
import { ApiError } from '../api/status.js';
import type { Attributes } from './attributes.js';

function forbiddenMessage(a: Attributes): string {
  const user = JSON.stringify(a.user.username);
  if (!a.resourceRequest) return `User ${user} cannot ${a.verb} path ${JSON.stringify(a.path)}`;
  const resource = JSON.stringify(a.subresource ? `${a.resource}/${a.subresource}` : a.resource);
  const scope = a.namespace ? `in the namespace ${JSON.stringify(a.namespace)}` : 'at the cluster scope';
  return `User ${user} cannot ${a.verb} resource ${resource} in API group ${JSON.stringify(a.apiGroup)} ${scope}`;
}

/** `NewForbidden(GroupResource{group, resource}, name, err)`. */
export function newForbidden(group: string, resource: string, name: string, err: string): ApiError {
  const qualified = group ? `${resource}.${group}` : resource;
  const message =
    resource === '' && group === ''
      ? `forbidden: ${err}`
      : name === ''
        ? `${qualified} is forbidden: ${err}`
        : `${qualified} ${JSON.stringify(name)} is forbidden: ${err}`;
  return new ApiError(403, 'Forbidden', message, {
    ...(name ? { name } : {}),
    ...(group ? { group } : {}),
    ...(resource ? { kind: resource } : {}),
  });
}

/** The authorization filter's 403 for a request RBAC did not allow. */
export function forbiddenRequest(a: Attributes, reason: string): ApiError {
  const msg = forbiddenMessage(a).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
  return newForbidden(a.apiGroup, a.resource, a.name, reason ? `${msg}: ${reason}` : msg);
}

/**
 * The 403 of a create done through an update or apply (`withAuthorization` in
 * pkg/endpoints/handlers/patch.go and update.go): only the authorizer's reason follows.
 */
export function forbiddenCreateOnUpdate(a: Attributes, reason: string): ApiError {
  return newForbidden(a.apiGroup, a.resource, a.name, reason);
}
