import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { type AuthConfig, openToAnonymous, type Role, routeRole } from '../../app/auth.js';
import { emptyBodySchema, errorResponses, noQuerySchema } from './schemas.js';

const bearer = { bearerAuth: [] as string[] };

/** What the OpenAPI document says a route needs, by the same rules the auth hook applies. */
function securityFor(auth: AuthConfig, methods: readonly string[], configured: Role | undefined) {
  return openToAnonymous(auth, methods, routeRole(methods, configured)) ? [{}, bearer] : [bearer];
}

/**
 * Registers @fastify/swagger in the API scope; it must run before the routes so it sees them.
 * Each operation's `security` follows the route's `config.role` and `auth.anonymousRead`.
 */
export async function registerOpenApi(
  app: FastifyInstance,
  options: { auth: AuthConfig; publicUrl?: string | undefined },
): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Ferry API',
        version: 'v1',
        description:
          'Pipelines of the Ferry CI/CD engine. Errors are `{ error: { code, message, details? } }`; codes are listed in docs/errors.md.',
      },
      ...(options.publicUrl === undefined ? {} : { servers: [{ url: options.publicUrl }] }),
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            description: 'A token from `auth.tokens` in the Ferry configuration.',
          },
        },
      },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
    transform: ({ schema, url, route }) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      // A body that may only be absent or {} is no request body, as far as clients are concerned.
      const { body, ...rest } = schema;
      const documented = body === emptyBodySchema ? rest : schema;
      return {
        schema: { ...documented, security: securityFor(options.auth, methods, route.config?.role) },
        url,
      };
    },
  });
}

/** `GET /openapi.json`: the document for every route of this scope. */
export function openApiDocumentRoute(app: FastifyInstance): void {
  app.get(
    '/openapi.json',
    {
      config: { role: 'viewer' },
      schema: {
        operationId: 'getOpenApiDocument',
        summary: 'This OpenAPI document',
        tags: ['meta'],
        querystring: noQuerySchema,
        response: {
          200: { type: 'object', description: 'The OpenAPI 3.1 document.' },
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async () => app.swagger(),
  );
}
