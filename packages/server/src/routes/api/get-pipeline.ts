import { FerryError, PipelineErrors } from '@ferry/shared';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../app/server-context.js';
import {
  errorResponses,
  noQuerySchema,
  type PipelineParams,
  pipelineParamsSchema,
  pipelineRef,
} from './schemas.js';

/** `GET /pipelines/:id`: one pipeline as stored. */
export function getPipelineRoute(app: FastifyInstance, ctx: ServerContext): void {
  app.get<{ Params: PipelineParams }>(
    '/pipelines/:id',
    {
      config: { role: 'viewer' },
      schema: {
        operationId: 'getPipeline',
        summary: 'Get one pipeline',
        tags: ['pipelines'],
        querystring: noQuerySchema,
        params: pipelineParamsSchema,
        response: { 200: pipelineRef, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const pipeline = await ctx.store.get(request.params.id);
      if (pipeline === undefined) {
        throw new FerryError(PipelineErrors.PIPELINE_NOT_FOUND, { id: request.params.id });
      }
      return pipeline;
    },
  );
}
