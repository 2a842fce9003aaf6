import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { pingRedis } from '../redis/ping-redis.js';

export interface HealthDeps {
  redis: Redis;
  /** Extra readiness checks (e.g. the worker is running); each returns a problem or null. */
  readinessChecks?: ReadonlyArray<() => Promise<string | null> | string | null>;
}

/** `/healthz`: the process answers. `/readyz`: it can do its work (Redis reachable, worker running). */
export async function healthRoutes(app: FastifyInstance, deps: HealthDeps): Promise<void> {
  app.get('/healthz', { logLevel: 'warn' }, async () => ({ status: 'ok' }));

  app.get('/readyz', { logLevel: 'warn' }, async (_request, reply) => {
    const problems: string[] = [];
    try {
      await pingRedis(deps.redis);
    } catch (err) {
      problems.push(`redis: ${(err as Error).message}`);
    }
    for (const check of deps.readinessChecks ?? []) {
      const problem = await check();
      if (problem !== null) problems.push(problem);
    }
    if (problems.length > 0) return reply.code(503).send({ status: 'unavailable', problems });
    return { status: 'ready' };
  });
}
