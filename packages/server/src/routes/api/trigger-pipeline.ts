import type { FastifyInstance } from 'fastify';
import { callerName } from '../../app/auth.js';
import type { ServerContext } from '../../app/server-context.js';
import { triggerPipeline } from '../../pipeline/actions.js';
import { created } from './created.js';
import {
  createdSchema,
  errorResponses,
  noQuerySchema,
  type TriggerBody,
  triggerBodySchema,
} from './schemas.js';

/** `POST /pipelines`: run an environment branch of a known project by hand. */
export function triggerPipelineRoute(app: FastifyInstance, ctx: ServerContext): void {
  app.post<{ Body: TriggerBody }>(
    '/pipelines',
    {
      config: { role: 'deployer' },
      schema: {
        operationId: 'triggerPipeline',
        summary: 'Start a pipeline by hand',
        description:
          'The project must have sent Ferry a webhook (that is how Ferry learns its clone URL). Without `sha`, the last head Ferry saw for the branch runs.',
        tags: ['pipelines'],
        querystring: noQuerySchema,
        body: triggerBodySchema,
        response: { 201: createdSchema, ...errorResponses(400, 401, 403, 404, 415, 422) },
      },
    },
    async (request, reply) => {
      const { project, ref, sha } = request.body;
      const input = sha === undefined ? { project, ref } : { project, ref, sha };
      return created(ctx, reply, await triggerPipeline(ctx, input, callerName(request)));
    },
  );
}
