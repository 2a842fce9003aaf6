import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../app/server-context.js';

/** `/metrics` in the Prometheus text format. */
export async function metricsRoute(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  app.get('/metrics', { logLevel: 'warn' }, async (_request, reply) => {
    const body = await ctx.metrics.registry.metrics();
    return reply.type(ctx.metrics.registry.contentType).send(body);
  });
}
