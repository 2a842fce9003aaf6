/**
 * Server-side table output (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`, what
 * `kubectl get` asks for): a meta.k8s.io/v1 Table with the kind's column definitions and one row
 * per object, whose `object` is, per `includeObject`, the PartialObjectMetadata (default
 * `Metadata`), the whole object (`Object`) or nothing (`None`).
 */
import type { IncomingMessage } from 'node:http';
import { apiVersionOf, type ResourceDef, resourceKey } from '../api/resources.js';
import { ApiError } from '../api/status.js';
import type { KubeObject } from '../types.js';
import { printerFor } from './columns.js';

/** Whether the client accepts a meta.k8s.io/v1 Table (before any plain JSON it also accepts). */
export function wantsTable(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? '';
  for (const part of accept.split(',')) {
    const params = part.split(';').map((p) => p.trim());
    const [type, ...rest] = params;
    const kv = Object.fromEntries(rest.map((p) => p.split('=') as [string, string]));
    if (type === 'application/json' && kv.as === 'Table') return kv.v === 'v1' && kv.g === 'meta.k8s.io';
    if (type === 'application/json' || type === '*/*') return false;
  }
  return false;
}

function rowObject(def: ResourceDef, o: KubeObject, include: string) {
  if (include === 'None') return undefined;
  if (include === 'Object') return { ...o, apiVersion: apiVersionOf(def), kind: def.kind };
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
}

export function toTable(
  def: ResourceDef,
  objects: KubeObject[],
  url: URL,
  listMeta: { resourceVersion?: string; continue?: string; remainingItemCount?: number } = {},
) {
  const include = url.searchParams.get('includeObject') ?? 'Metadata';
  if (!['None', 'Metadata', 'Object'].includes(include)) {
    throw new ApiError(400, 'BadRequest', `unrecognized includeObject value: "${include}"`);
  }
  const printer = printerFor(resourceKey(def));
  const now = Date.now();
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: printer.columns.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: c.description,
      priority: c.priority ?? 0,
    })),
    rows: objects.map((o) => {
      const object = rowObject(def, o, include);
      return { cells: printer.cells(o, now), ...(object ? { object } : {}) };
    }),
  };
}
