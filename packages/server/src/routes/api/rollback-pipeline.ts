import type { FastifyInstance } from 'fastify';
import { callerName } from '../../app/auth.js';
import type { ServerContext } from '../../app/server-context.js';
import { rollbackPipeline } from '../../pipeline/actions.js';
import { created } from './created.js';
import {
  createdSchema,
  emptyBodySchema,
  errorResponses,
  noQuerySchema,
  type PipelineParams,
  pipelineParamsSchema,
} from './schemas.js';

/** `POST /pipelines/:id/rollback`: deploy a successful pipeline's image again, without rebuilding. */
export function rollbackPipelineRoute(app: FastifyInstance, ctx: ServerContext): void {
  app.post<{ Params: PipelineParams }>(
    '/pipelines/:id/rollback',
    {
      config: { role: 'deployer' },
      schema: {
        operationId: 'rollbackToPipeline',
        summary: "Deploy a successful pipeline's image again (roll back), without rebuilding",
        tags: ['pipelines'],
        querystring: noQuerySchema,
        params: pipelineParamsSchema,
        body: emptyBodySchema,
        response: { 201: createdSchema, ...errorResponses(400, 401, 403, 404, 409, 415) },
      },
    },
    async (request, reply) =>
      created(ctx, reply, await rollbackPipeline(ctx, request.params.id, callerName(request))),
  );
}
