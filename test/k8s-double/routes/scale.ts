/** The `scale` subresource (autoscaling/v1 Scale) of deployments and replicasets. */

import { patchTypeOf } from '../api/registry.js';
import type { ResourceDef } from '../api/resources.js';
import { formatLabelSelector } from '../api/selectors.js';
import { ApiError, badRequest, conflict, methodNotAllowed } from '../api/status.js';
import { applyJsonPatch } from '../patch/json-patch.js';
import { jsonMergePatch, strategicMergePatch } from '../patch/merge.js';
import { sendJson } from '../server/http-io.js';
import type { KubeObject } from '../types.js';
import type { RequestContext, RouteDeps } from './context.js';

function toScale(o: KubeObject) {
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: o.metadata.name,
      namespace: o.metadata.namespace,
      uid: o.metadata.uid,
      resourceVersion: o.metadata.resourceVersion,
      creationTimestamp: o.metadata.creationTimestamp,
    },
    spec: { replicas: o.spec?.replicas ?? 0 },
    status: { replicas: o.status?.replicas ?? 0, selector: formatLabelSelector(o.spec?.selector) },
  };
}

export async function serveScale(
  ctx: RequestContext,
  def: ResourceDef,
  namespace: string | undefined,
  name: string,
  deps: RouteDeps,
): Promise<void> {
  if (!def.subresources.includes('scale'))
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  const { registry } = deps;
  const obj = registry.get(def, namespace, name);
  const method = ctx.req.method ?? 'GET';
  if (method === 'GET') return sendJson(ctx.res, 200, toScale(obj));
  let scale: { metadata?: { resourceVersion?: string }; spec?: { replicas?: number } };
  if (method === 'PUT') scale = ((await ctx.body()) ?? {}) as typeof scale;
  else if (method === 'PATCH') {
    const type = patchTypeOf(ctx.req.headers['content-type']);
    const current = toScale(obj);
    const patch = await ctx.body();
    if (type === 'json') scale = applyJsonPatch(current, patch) as typeof scale;
    else if (type === 'merge') scale = jsonMergePatch(current, patch) as typeof scale;
    else scale = strategicMergePatch(current, patch) as typeof scale;
  } else throw methodNotAllowed(method);
  const rv = scale.metadata?.resourceVersion;
  if (rv && rv !== obj.metadata.resourceVersion) throw conflict(registry.target(def, name));
  const replicas = scale.spec?.replicas;
  if (replicas === undefined || !Number.isInteger(replicas) || replicas < 0) {
    if (replicas === undefined) throw badRequest('spec.replicas is required');
    throw new ApiError(
      422,
      'Invalid',
      `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${replicas}: must be greater than or equal to 0`,
    );
  }
  const next = structuredClone(obj);
  next.spec.replicas = replicas;
  const updated = await registry.write(def, obj, next, { manager: ctx.manager });
  sendJson(ctx.res, 200, toScale(updated));
}
