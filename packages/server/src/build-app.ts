import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { installErrorHandler } from './app/error-handler.js';
import type { ServerContext } from './app/server-context.js';
import { installHttpMetrics } from './metrics/http-metrics.js';
import { apiRoutes } from './routes/api/index.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoute } from './routes/metrics.js';
import { gitlabWebhookRoute } from './routes/webhooks/gitlab.js';

/** Builds the Ferry HTTP app without listening: tests use `inject()` or `listen({port: 0})`. */
export async function buildApp(ctx: ServerContext): Promise<FastifyInstance> {
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; the cast keeps the app typed with fastify's default generics.
    loggerInstance: ctx.logger as FastifyBaseLogger,
    bodyLimit: ctx.config.server.bodyLimitBytes,
    trustProxy: ctx.config.server.trustProxy,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[A-Za-z0-9._-]{1,128}$/.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
  });
  installErrorHandler(app);
  installHttpMetrics(app, ctx.metrics);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  await app.register(
    async (scoped) => {
      await healthRoutes(scoped, { redis: ctx.redis, readinessChecks: ctx.readinessChecks });
      await metricsRoute(scoped, ctx);
      await scoped.register(async (hooks) => gitlabWebhookRoute(hooks, ctx));
      await scoped.register(async (api) => apiRoutes(api, ctx), { prefix: '/api/v1' });
      await scoped.register(async (web) => dashboardRoutes(web, ctx));
    },
    { prefix: ctx.config.server.basePath },
  );
  return app;
}
