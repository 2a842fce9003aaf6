import type { FastifyInstance } from 'fastify';
import { callerName } from '../../app/auth.js';
import type { ServerContext } from '../../app/server-context.js';
import { retryPipeline } from '../../pipeline/actions.js';
import { created } from './created.js';
import {
  createdSchema,
  emptyBodySchema,
  errorResponses,
  noQuerySchema,
  type PipelineParams,
  pipelineParamsSchema,
} from './schemas.js';

/** `POST /pipelines/:id/retry`: a new pipeline (trigger `retry`) for the same commit and environment. */
export function retryPipelineRoute(app: FastifyInstance, ctx: ServerContext): void {
  app.post<{ Params: PipelineParams }>(
    '/pipelines/:id/retry',
    {
      config: { role: 'deployer' },
      schema: {
        operationId: 'retryPipeline',
        summary: 'Retry a finished pipeline',
        tags: ['pipelines'],
        querystring: noQuerySchema,
        params: pipelineParamsSchema,
        body: emptyBodySchema,
        response: { 201: createdSchema, ...errorResponses(400, 401, 403, 404, 409, 415) },
      },
    },
    async (request, reply) =>
      created(ctx, reply, await retryPipeline(ctx, request.params.id, callerName(request))),
  );
}
