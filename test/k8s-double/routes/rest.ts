/** The verbs on a resource: list/watch/create/deletecollection, get/update/patch/delete. */
import { type DeleteOptions, patchTypeOf } from '../api/registry.js';
import type { ResourceDef } from '../api/resources.js';
import { ApiError, methodNotAllowed } from '../api/status.js';
import { checkFieldSelector } from '../decoding/field-selectors.js';
import { directiveOf, validateFields, type WriteVerb } from '../decoding/field-validation.js';
import { boolParam, intParam, sendJson } from '../server/http-io.js';
import { toTable, wantsTable } from '../table/table.js';
import type { KubeObject } from '../types.js';
import type { RequestContext, RouteDeps } from './context.js';
import { listResponse } from './list.js';
import { serveLog } from './log.js';
import { serveScale } from './scale.js';

export interface ResourceRoute {
  def: ResourceDef;
  namespace?: string;
  name?: string;
  subresource?: string;
  watchPath: boolean;
}

const writeMeta = (ctx: RequestContext) => ({
  manager: ctx.manager,
  dryRun: ctx.url.searchParams.get('dryRun') === 'All',
  warnings: ctx.warnings,
});

export async function serveResource(
  ctx: RequestContext,
  route: ResourceRoute,
  deps: RouteDeps,
): Promise<void> {
  const { def, namespace, name, subresource } = route;
  const method = ctx.req.method ?? 'GET';
  if (!name) return serveCollection(ctx, route, deps);
  if (subresource === 'log') {
    if (method !== 'GET' || def.plural !== 'pods') throw methodNotAllowed(method);
    return serveLog(ctx, namespace!, name, deps);
  }
  if (subresource === 'scale') return serveScale(ctx, def, namespace, name, deps);
  if (subresource !== undefined && (subresource !== 'status' || !def.subresources.includes('status'))) {
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  }
  const status = subresource === 'status' ? 'status' : undefined;
  const { registry } = deps;
  switch (method) {
    case 'GET': {
      const object = registry.get(def, namespace, name);
      if (subresource === undefined && wantsTable(ctx.req))
        return sendJson(
          ctx.res,
          200,
          toTable(def, [object], ctx.url, { resourceVersion: object.metadata.resourceVersion }),
        );
      return sendJson(ctx.res, 200, object);
    }
    case 'PUT':
      return sendJson(
        ctx.res,
        200,
        await registry.update(
          def,
          namespace,
          name,
          await checkedBody(ctx, def, 'update', status === undefined ? 'object' : 'none'),
          writeMeta(ctx),
          status,
        ),
      );
    case 'PATCH': {
      const type = patchTypeOf(ctx.req.headers['content-type']);
      // Custom resources take no strategic merge patch: the CRD handler's patch types are JSON,
      // merge and apply (apiextensions-apiserver v1.31 customresource_handler.go; the 415 is
      // negotiation.NewUnsupportedMediaTypeError in k8s.io/apiserver handlers/patch.go).
      if (type === 'strategic' && def.custom)
        throw new ApiError(
          415,
          'UnsupportedMediaType',
          'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
        );
      if (type === 'apply' && !ctx.url.searchParams.get('fieldManager')) {
        throw new ApiError(
          400,
          'BadRequest',
          'PATCH with application/apply-patch+yaml requires a fieldManager: fieldManager is required for apply requests',
        );
      }
      if (type === 'apply' && !registry.store.peek(def, namespace, name)) ctx.authorizeCreate();
      const force = boolParam(ctx.url, 'force');
      if (force && type !== 'apply')
        throw new ApiError(400, 'BadRequest', 'force must be unset for non-apply patch requests');
      const { object, created } = await registry.patch(
        def,
        namespace,
        name,
        type,
        await checkedBody(
          ctx,
          def,
          'patch',
          status !== undefined || type === 'json' ? 'none' : type === 'apply' ? 'object' : 'patch',
        ),
        { ...writeMeta(ctx), force },
        status,
      );
      return sendJson(ctx.res, created ? 201 : 200, object);
    }
    case 'DELETE': {
      if (status) throw methodNotAllowed(method);
      const result = await registry.delete(def, namespace, name, await deleteOptions(ctx));
      if (!result.removed || def.plural === 'pods') return sendJson(ctx.res, 200, result.object);
      return sendJson(ctx.res, 200, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Success',
        details: {
          name,
          ...(def.group ? { group: def.group } : {}),
          kind: def.plural,
          uid: result.object?.metadata.uid,
        },
      });
    }
    default:
      throw methodNotAllowed(method);
  }
}

async function serveCollection(ctx: RequestContext, route: ResourceRoute, deps: RouteDeps): Promise<void> {
  const { def, namespace } = route;
  const { url } = ctx;
  const method = ctx.req.method ?? 'GET';
  const labelSelector = url.searchParams.get('labelSelector') ?? undefined;
  const fieldSelector = url.searchParams.get('fieldSelector') ?? undefined;
  checkFieldSelector(def, fieldSelector);
  if (method === 'GET' && (route.watchPath || boolParam(url, 'watch'))) {
    const timeoutSeconds = intParam(url, 'timeoutSeconds');
    const rv = url.searchParams.get('resourceVersion');
    await deps.watches.serve(ctx.res, {
      def,
      ...(namespace !== undefined ? { namespace } : {}),
      ...(labelSelector ? { labelSelector } : {}),
      ...(fieldSelector ? { fieldSelector } : {}),
      ...(rv !== null ? { resourceVersion: rv } : {}),
      ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
      allowWatchBookmarks: boolParam(url, 'allowWatchBookmarks'),
      sendInitialEvents: boolParam(url, 'sendInitialEvents'),
    });
    return;
  }
  const { registry } = deps;
  switch (method) {
    case 'GET': {
      const items = registry.list(def, namespace, labelSelector, fieldSelector);
      const list = listResponse(
        def,
        items,
        registry.store.currentRv,
        intParam(url, 'limit'),
        url.searchParams.get('continue'),
      );
      if (wantsTable(ctx.req))
        return sendJson(ctx.res, 200, toTable(def, list.items as KubeObject[], url, list.metadata));
      return sendJson(ctx.res, 200, list);
    }
    case 'POST':
      if (route.watchPath) throw methodNotAllowed(method);
      return sendJson(
        ctx.res,
        201,
        await registry.create(
          def,
          namespace,
          await checkedBody(ctx, def, 'create', 'object'),
          writeMeta(ctx),
        ),
      );
    case 'DELETE': {
      const opts = await deleteOptions(ctx);
      const deleted: KubeObject[] = [];
      for (const o of registry.list(def, namespace, labelSelector, fieldSelector)) {
        const r = await registry
          .delete(def, o.metadata.namespace, o.metadata.name, opts)
          .catch(() => undefined);
        if (r?.object) deleted.push(r.object);
      }
      return sendJson(ctx.res, 200, listResponse(def, deleted, registry.store.currentRv));
    }
    default:
      throw methodNotAllowed(method);
  }
}

/**
 * The request body after field validation (decoding/field-validation.ts): type errors and, with
 * `fieldValidation=Strict`, unknown fields are 400s; with `Warn` (the default) each unknown field
 * is a `Warning` header. `shape`: an object (POST, PUT, apply), a merge/strategic patch, or none
 * (JSON patches and subresources are not checked).
 */
async function checkedBody(
  ctx: RequestContext,
  def: ResourceDef,
  verb: WriteVerb,
  shape: 'object' | 'patch' | 'none',
): Promise<unknown> {
  const directive = directiveOf(ctx.url, verb);
  const body = await ctx.body();
  if (shape !== 'none') ctx.warnings.push(...validateFields(def, body, directive, shape === 'patch'));
  return body;
}

/** DeleteOptions from the body and the query, the query winning as in the apiserver. */
async function deleteOptions(ctx: RequestContext): Promise<DeleteOptions> {
  const body = ((await ctx.body()) ?? {}) as DeleteOptions & { orphanDependents?: boolean };
  const q = ctx.url.searchParams;
  const grace = intParam(ctx.url, 'gracePeriodSeconds') ?? body.gracePeriodSeconds;
  const policy = (q.get('propagationPolicy') ??
    body.propagationPolicy ??
    (body.orphanDependents ? 'Orphan' : undefined)) as DeleteOptions['propagationPolicy'];
  if (policy && !['Foreground', 'Background', 'Orphan'].includes(policy)) {
    throw new ApiError(
      422,
      'Invalid',
      `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`,
    );
  }
  return {
    ...(grace !== undefined ? { gracePeriodSeconds: grace } : {}),
    ...(policy ? { propagationPolicy: policy } : {}),
    ...(body.preconditions ? { preconditions: body.preconditions } : {}),
    dryRun:
      q.get('dryRun') === 'All' ||
      (Array.isArray((body as { dryRun?: string[] }).dryRun) &&
        ((body as { dryRun?: string[] }).dryRun ?? []).includes('All')),
  };
}
