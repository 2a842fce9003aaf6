import { isTerminalPipeline } from '@ferry/shared';
import type { FastifyInstance } from 'fastify';
import { callerName } from '../../app/auth.js';
import type { ServerContext } from '../../app/server-context.js';
import { cancelPipeline } from '../../pipeline/actions.js';
import {
  emptyBodySchema,
  errorResponses,
  noQuerySchema,
  type PipelineParams,
  pipelineParamsSchema,
  pipelineRef,
} from './schemas.js';

/**
 * `POST /pipelines/:id/cancel`: a waiting pipeline ends at once (200, `canceled`); a running one
 * is aborted where it runs (202, `cancelRequested: true` until its stage stops).
 */
export function cancelPipelineRoute(app: FastifyInstance, ctx: ServerContext): void {
  app.post<{ Params: PipelineParams }>(
    '/pipelines/:id/cancel',
    {
      config: { role: 'deployer' },
      schema: {
        operationId: 'cancelPipeline',
        summary: 'Cancel a pipeline',
        description:
          'Answers 200 when the pipeline is canceled, 202 when a running stage is being stopped (poll the pipeline).',
        tags: ['pipelines'],
        querystring: noQuerySchema,
        params: pipelineParamsSchema,
        body: emptyBodySchema,
        response: {
          200: pipelineRef,
          202: pipelineRef,
          ...errorResponses(400, 401, 403, 404, 409, 415),
        },
      },
    },
    async (request, reply) => {
      const pipeline = await cancelPipeline(ctx, request.params.id, callerName(request));
      return reply.code(isTerminalPipeline(pipeline.status) ? 200 : 202).send(pipeline);
    },
  );
}
