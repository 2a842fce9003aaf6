import type { FastifyReply } from 'fastify';
import type { ServerContext } from '../../app/server-context.js';
import type { CreateResult } from '../../pipeline/create.js';

/** 201 with the new pipeline's id and where to read it. */
export function created(ctx: ServerContext, reply: FastifyReply, result: CreateResult): FastifyReply {
  const location = `${ctx.config.server.basePath}/api/v1/pipelines/${result.pipelineId}`;
  return reply
    .code(result.result === 'created' ? 201 : 200)
    .header('location', location)
    .send({ pipelineId: result.pipelineId, superseded: result.superseded });
}
