import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../runtime/context.js';
import { errorResponses, noQuerySchema } from './schemas.js';

/** `GET /me`: who the caller is (the token's name and role), so clients show only what they may do. */
export function meRoute(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    '/me',
    {
      config: { role: 'viewer' },
      schema: {
        operationId: 'getCaller',
        summary: 'The caller: token name and role, or anonymous',
        tags: ['meta'],
        querystring: noQuerySchema,
        response: {
          200: {
            type: 'object',
            required: ['authenticated', 'anonymousRead'],
            properties: {
              authenticated: { type: 'boolean', description: 'A valid token was sent.' },
              name: { type: 'string', description: "The token's name (recorded as who acted)." },
              role: { type: 'string', enum: ['viewer', 'deployer', 'admin'] },
              anonymousRead: { type: 'boolean', description: 'Reads work without a token.' },
            },
          },
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      const anonymousRead = ctx.config.auth.anonymousRead;
      const caller = request.caller;
      return caller === null
        ? { authenticated: false, anonymousRead }
        : { authenticated: true, name: caller.name, role: caller.role, anonymousRead };
    },
  );
}
