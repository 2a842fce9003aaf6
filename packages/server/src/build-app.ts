import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { limitConnectionsPerClient } from './app/connection-limits.js';
import { installErrorHandler } from './app/error-handler.js';
import type { ServerContext } from './app/server-context.js';
import { wellFormedDeep } from './app/well-formed-json.js';
import { installHttpMetrics } from './metrics/http-metrics.js';
import { apiRoutes } from './routes/api/index.js';
import { badgeRoutes } from './routes/badges.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoute } from './routes/metrics.js';
import { gitlabWebhookRoute } from './routes/webhooks/gitlab.js';

/** A client request id Ferry keeps: at most 64 characters of letters, digits, `.`, `_`, `-`. */
const safeRequestId = /^[A-Za-z0-9._-]{1,64}$/;

/** Builds the Ferry HTTP app without listening: tests use `inject()` or `listen({port: 0})`. */
export async function buildApp(ctx: ServerContext): Promise<FastifyInstance> {
  const secretValues = new Set(ctx.secretValues ?? []);
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; the cast keeps the app typed with fastify's default generics.
    loggerInstance: ctx.logger as FastifyBaseLogger,
    bodyLimit: ctx.config.server.bodyLimitBytes,
    // Bounded time for headers and for the whole request; Node checks every second here instead
    // of its default 30 s, so a body trickling a byte at a time is cut close to the bound.
    requestTimeout: ctx.config.server.requestTimeoutMs,
    http: {
      headersTimeout: Math.min(ctx.config.server.headersTimeoutMs, ctx.config.server.requestTimeoutMs),
      connectionsCheckingInterval: 1000,
    },
    trustProxy: ctx.config.server.trustProxy,
    // A client's X-Request-Id is logged, so only a short id of a safe alphabet that is none of
    // Ferry's secrets is kept; anything else gets a fresh id.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && safeRequestId.test(given) && !secretValues.has(given)
        ? given
        : randomUUID();
    },
    requestIdHeader: false,
  });
  limitConnectionsPerClient(app.server, ctx.config.server.maxConnectionsPerClient);
  installErrorHandler(app);
  installHttpMetrics(app, ctx.metrics);
  // API bodies (fastify's own JSON parser) get the same well-formed text as webhooks.
  app.addHook('preValidation', async (request) => {
    if (request.body !== undefined && request.body !== null) request.body = wellFormedDeep(request.body);
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  await app.register(
    async (scoped) => {
      await healthRoutes(scoped, { redis: ctx.redis, readinessChecks: ctx.readinessChecks });
      await metricsRoute(scoped, ctx);
      await badgeRoutes(scoped, ctx);
      await scoped.register(async (hooks) => gitlabWebhookRoute(hooks, ctx));
      await scoped.register(async (api) => apiRoutes(api, ctx), { prefix: '/api/v1' });
      await scoped.register(async (web) => dashboardRoutes(web, ctx));
    },
    { prefix: ctx.config.server.basePath },
  );
  return app;
}
