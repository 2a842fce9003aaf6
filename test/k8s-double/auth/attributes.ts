/**
 * The authorization attributes of a request, derived as k8s.io/apiserver (v1.31)
 * pkg/endpoints/request/requestinfo.go derives them:
 * - verb from the method: POST create, GET/HEAD get, PUT update, PATCH patch, DELETE delete;
 *   a GET without a name is `list`, or `watch` with `watch=true` or the `/watch/` prefix; a DELETE
 *   without a name is `deletecollection`;
 * - a list/watch whose fieldSelector requires `metadata.name=<x>` carries the name `x`
 *   (so `resourceNames` rules can allow watching one object);
 * - `/api/v1/namespaces/<x>` addresses the namespace `x` in the namespace `x`;
 * - every path outside /api and /apis is a non-resource request (verb: the method, lower case).
 */
import type { Route } from '../server/router.js';
import type { UserInfo } from './user.js';

export interface Attributes {
  user: UserInfo;
  verb: string;
  resourceRequest: boolean;
  path: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

const verbOf: Record<string, string> = {
  POST: 'create',
  GET: 'get',
  HEAD: 'get',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

function nameFromFieldSelector(selector: string | null): string | undefined {
  if (!selector) return undefined;
  for (const term of selector.split(',')) {
    const m = /^metadata\.name(==|=)(.+)$/.exec(term.trim());
    if (m && !m[2]!.includes('/') && !m[2]!.includes('%')) return m[2];
  }
  return undefined;
}

export function requestAttributes(method: string, url: URL, route: Route, user: UserInfo): Attributes {
  const base = { user, apiGroup: '', apiVersion: '', resource: '', subresource: '', namespace: '', name: '' };
  if (route.type !== 'resource') {
    // Discovery documents under /api and /apis are resource-less API requests: RBAC matches them
    // by path (the bootstrap role system:discovery allows GET on /api/* and /apis/*).
    return { ...base, verb: method.toLowerCase(), resourceRequest: false, path: url.pathname };
  }
  const { def } = route;
  let verb = verbOf[method] ?? '';
  let name = route.name ?? '';
  if (!name && verb === 'get') {
    verb = route.watchPath || ['true', '1'].includes(url.searchParams.get('watch') ?? '') ? 'watch' : 'list';
    name = nameFromFieldSelector(url.searchParams.get('fieldSelector')) ?? '';
  }
  if (!name && verb === 'delete') verb = 'deletecollection';
  const namespace = route.namespace ?? (def.plural === 'namespaces' && def.group === '' ? name : '');
  return {
    ...base,
    verb,
    resourceRequest: true,
    path: url.pathname,
    apiGroup: def.group,
    apiVersion: def.version,
    resource: def.plural,
    subresource: route.subresource ?? '',
    namespace,
    name,
  };
}
