import type { FastifyInstance } from 'fastify';
import type { FerryMetrics } from './metrics.js';

/** The route label of a request no route matched (404s for any path share it). */
export const unmatchedRoute = 'unmatched';

/**
 * Counts every answered request and times it, labelled with the route pattern it matched
 * (`/api/v1/pipelines/:id`), never the raw URL: ids and query strings would make a series per
 * request. Event streams take the reply over (hijack) and are not counted.
 */
export function installHttpMetrics(app: FastifyInstance, metrics: FerryMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? unmatchedRoute;
    const method = request.method;
    metrics.httpRequests.inc({ method, route, status_code: String(reply.statusCode) });
    metrics.httpDuration.observe({ method, route }, reply.elapsedTime / 1000);
  });
}
