import type { FastifyInstance } from 'fastify';
import { callerName } from '../../app/auth.js';
import type { ServerContext } from '../../app/server-context.js';
import { approvePipeline } from '../../pipeline/actions.js';
import {
  emptyBodySchema,
  errorResponses,
  noQuerySchema,
  type PipelineParams,
  pipelineParamsSchema,
  pipelineRef,
} from './schemas.js';

/** `POST /pipelines/:id/approve`: lets a deploy waiting for approval go on; records who approved. */
export function approvePipelineRoute(app: FastifyInstance, ctx: ServerContext): void {
  app.post<{ Params: PipelineParams }>(
    '/pipelines/:id/approve',
    {
      config: { role: 'deployer' },
      schema: {
        operationId: 'approvePipeline',
        summary: 'Approve a deploy waiting for approval',
        tags: ['pipelines'],
        querystring: noQuerySchema,
        params: pipelineParamsSchema,
        body: emptyBodySchema,
        response: { 200: pipelineRef, ...errorResponses(400, 401, 403, 404, 409, 415) },
      },
    },
    async (request) => approvePipeline(ctx, request.params.id, callerName(request)),
  );
}
