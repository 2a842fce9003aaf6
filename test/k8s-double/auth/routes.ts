/** The auth endpoints: the self reviews and the TokenRequest subresource. */
import { methodNotAllowed } from '../api/status.js';
import type { RequestContext, RouteDeps } from '../routes/context.js';
import type { ResourceRoute } from '../routes/rest.js';
import { sendJson } from '../server/http-io.js';
import { selfSubjectAccessReview, selfSubjectReview, selfSubjectRulesReview } from './reviews.js';
import { tokenRequest } from './token-request.js';

/** Serves the request when it is one of these (true), else leaves it to the REST routes. */
export async function serveAuthRoute(
  ctx: RequestContext,
  route: ResourceRoute,
  deps: RouteDeps,
): Promise<boolean> {
  const { def } = route;
  const method = ctx.req.method ?? 'GET';
  if (def.createOnly) {
    if (method !== 'POST' || route.name) throw methodNotAllowed(method);
    const body = await ctx.body();
    const { rbac } = deps.auth;
    const answer =
      def.plural === 'selfsubjectaccessreviews'
        ? selfSubjectAccessReview(rbac, ctx.user, body)
        : def.plural === 'selfsubjectrulesreviews'
          ? selfSubjectRulesReview(rbac, ctx.user, body)
          : selfSubjectReview(ctx.user, body);
    sendJson(ctx.res, 201, answer);
    return true;
  }
  if (def.plural === 'serviceaccounts' && route.subresource === 'token' && route.name) {
    if (method !== 'POST') throw methodNotAllowed(method);
    const answer = tokenRequest(
      deps.registry.store,
      deps.auth.tokens,
      route.namespace ?? '',
      route.name,
      await ctx.body(),
    );
    sendJson(ctx.res, 201, answer);
    return true;
  }
  return false;
}
