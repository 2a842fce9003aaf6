import type { FastifyInstance } from 'fastify';
import { callerName } from '../../app/auth.js';
import type { ServerContext } from '../../app/server-context.js';
import type { CanaryVerdict } from '../../pipeline/canary/canary-target.js';
import { decideCanary } from '../../pipeline/canary/decide-canary.js';
import {
  emptyBodySchema,
  errorResponses,
  noQuerySchema,
  type PipelineParams,
  pipelineParamsSchema,
  pipelineRef,
} from './schemas.js';

const described: Record<CanaryVerdict, { summary: string; description: string }> = {
  promote: {
    summary: 'Canary: go to the next step now',
    description:
      'Ends the pause of the canary step that runs now: the next step (or the full rollout) starts without waiting. 409 when the deploy has no canary step running.',
  },
  abort: {
    summary: 'Canary: abort it',
    description:
      'The canary pods go, the main Deployment keeps the version it runs, and the pipeline fails with FERRY_ERR_RELEASE_CANARY_ABORTED. 409 when the deploy has no canary step running.',
  },
};

/** `POST /pipelines/:id/canary/promote` and `/canary/abort`: a decision on the running canary. */
export function canaryDecisionRoutes(app: FastifyInstance, ctx: ServerContext): void {
  for (const verdict of ['promote', 'abort'] as const) {
    app.post<{ Params: PipelineParams }>(
      `/pipelines/:id/canary/${verdict}`,
      {
        config: { role: 'deployer' },
        schema: {
          operationId: verdict === 'promote' ? 'promoteCanary' : 'abortCanary',
          ...described[verdict],
          tags: ['pipelines'],
          querystring: noQuerySchema,
          params: pipelineParamsSchema,
          body: emptyBodySchema,
          response: { 200: pipelineRef, ...errorResponses(400, 401, 403, 404, 409, 415) },
        },
      },
      async (request) =>
        decideCanary(ctx, request.params.id, verdict, callerName(request), AbortSignal.timeout(15_000)),
    );
  }
}
