import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../app/server-context.js';
import type { PipelineFilter } from '../../store/pipeline-store.js';
import { errorResponses, type ListQuery, listQuerySchema, pipelinePageSchema } from './schemas.js';

/** The store filter for a query: `project` is an id when it is all digits, a path otherwise. */
export function filterOf(query: ListQuery): PipelineFilter {
  const filter: PipelineFilter = {};
  if (query.project !== undefined) {
    if (/^\d+$/.test(query.project)) filter.projectId = Number(query.project);
    else filter.projectPath = query.project;
  }
  if (query.environment !== undefined) filter.environment = query.environment;
  if (query.status !== undefined) filter.status = query.status;
  if (query.ref !== undefined) filter.ref = query.ref;
  return filter;
}

/** `GET /pipelines`: newest first, filtered, one page at a time. */
export function listPipelinesRoute(app: FastifyInstance, ctx: ServerContext): void {
  app.get<{ Querystring: ListQuery }>(
    '/pipelines',
    {
      config: { role: 'viewer' },
      schema: {
        operationId: 'listPipelines',
        summary: 'List pipelines, newest first',
        description:
          'Filters combine (AND). Pass `nextCursor` back as `cursor` for the next, older page; it is absent on the last page.',
        tags: ['pipelines'],
        querystring: listQuerySchema,
        response: { 200: pipelinePageSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => ctx.store.list(filterOf(request.query), request.query.limit, request.query.cursor),
  );
}
