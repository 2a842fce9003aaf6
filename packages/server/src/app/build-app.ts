import { randomUUID } from 'node:crypto';
import type { FerryConfig, Logger } from '@ferry/shared';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { healthRoutes } from '../routes/health.js';
import { installErrorHandler } from './error-handler.js';

export interface AppDeps {
  config: FerryConfig;
  logger: Logger;
  redis: Redis;
  readinessChecks?: ReadonlyArray<() => Promise<string | null> | string | null>;
}

/** Builds the Ferry HTTP app without listening: tests use `inject()` or `listen({port: 0})`. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; the cast keeps the app typed with fastify's default generics.
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.config.server.bodyLimitBytes,
    trustProxy: deps.config.server.trustProxy,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[A-Za-z0-9._-]{1,128}$/.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
  });
  installErrorHandler(app);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  await app.register(
    async (scoped) => {
      await healthRoutes(scoped, { redis: deps.redis, readinessChecks: deps.readinessChecks ?? [] });
    },
    { prefix: deps.config.server.basePath },
  );
  return app;
}
