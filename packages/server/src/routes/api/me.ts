import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../app/server-context.js';
import { errorResponses, noQuerySchema } from './schemas.js';

/**
 * `GET /me`: who the caller is (the token's name, or the user the sign-in proxy named), their role
 * and how they were recognised, so clients show only what they may do and who is signed in.
 */
export function meRoute(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    '/me',
    {
      config: { role: 'viewer' },
      schema: {
        operationId: 'getCaller',
        summary: 'The caller: token or proxy user name, role and how recognised; or anonymous',
        tags: ['meta'],
        querystring: noQuerySchema,
        response: {
          200: {
            type: 'object',
            required: ['authenticated', 'anonymousRead'],
            properties: {
              authenticated: {
                type: 'boolean',
                description: 'A valid token was sent, or a trusted proxy named the user.',
              },
              name: {
                type: 'string',
                description: "The token's name or the proxy's user name (recorded as who acted).",
              },
              role: { type: 'string', enum: ['viewer', 'deployer', 'admin'] },
              via: {
                type: 'string',
                enum: ['token', 'proxy'],
                description:
                  'How the caller was recognised: a bearer token, or the sign-in proxy (auth.proxy).',
              },
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
        : { authenticated: true, name: caller.name, role: caller.role, via: caller.via, anonymousRead };
    },
  );
}
