/** Maps a request path to what it addresses: discovery documents or a resource. */
import type { Catalog } from '../api/catalog.js';
import type { ResourceDef } from '../api/resources.js';

export type Route =
  | { type: 'version' }
  | { type: 'health' }
  | { type: 'apiVersions' }
  | { type: 'apiGroupList' }
  | { type: 'apiGroup'; group: string }
  | { type: 'resourceList'; group: string; version: string }
  | {
      type: 'resource';
      def: ResourceDef;
      namespace?: string;
      name?: string;
      subresource?: string;
      /** The deprecated `/watch/` path prefix was used. */
      watchPath: boolean;
    }
  | { type: 'unknown' };

export function route(pathname: string, catalog: Catalog): Route {
  const seg = pathname
    .split('/')
    .filter((s) => s.length > 0)
    .map(decodeURIComponent);
  if (seg.length === 1 && seg[0] === 'version') return { type: 'version' };
  if (seg.length >= 1 && ['healthz', 'livez', 'readyz'].includes(seg[0]!)) return { type: 'health' };
  let group: string;
  let version: string;
  let rest: string[];
  if (seg[0] === 'api') {
    if (seg.length === 1) return { type: 'apiVersions' };
    group = '';
    version = seg[1]!;
    rest = seg.slice(2);
  } else if (seg[0] === 'apis') {
    if (seg.length === 1) return { type: 'apiGroupList' };
    if (seg.length === 2) return { type: 'apiGroup', group: seg[1]! };
    group = seg[1]!;
    version = seg[2]!;
    rest = seg.slice(3);
  } else return { type: 'unknown' };
  if (rest.length === 0) return { type: 'resourceList', group, version };
  const watchPath = rest[0] === 'watch';
  if (watchPath) rest = rest.slice(1);

  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const def = catalog.find(group, version, rest[2]!);
    if (def?.namespaced) {
      return {
        type: 'resource',
        def,
        namespace: rest[1]!,
        ...(rest[3] ? { name: rest[3] } : {}),
        ...(rest[4] ? { subresource: rest[4] } : {}),
        watchPath,
      };
    }
  }
  const def = catalog.find(group, version, rest[0]!);
  if (!def || rest.length > 3) return { type: 'unknown' };
  if (def.namespaced && rest.length > 1) return { type: 'unknown' };
  return {
    type: 'resource',
    def,
    ...(rest[1] ? { name: rest[1] } : {}),
    ...(rest[2] ? { subresource: rest[2] } : {}),
    watchPath,
  };
}
