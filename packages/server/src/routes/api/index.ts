import type { FastifyInstance } from 'fastify';
import { installAuth } from '../../app/auth.js';
import type { ServerContext } from '../../app/server-context.js';
import { approvePipelineRoute } from './approve-pipeline.js';
import { canaryDecisionRoutes } from './canary-decision.js';
import { cancelPipelineRoute } from './cancel-pipeline.js';
import { deploymentsRoute } from './deployments.js';
import { environmentsRoute } from './environments.js';
import { eventsRoute } from './events.js';
import { getPipelineRoute } from './get-pipeline.js';
import { invalidInput } from './input-errors.js';
import { listPipelinesRoute } from './list-pipelines.js';
import { meRoute } from './me.js';
import { openApiDocumentRoute, registerOpenApi } from './openapi.js';
import { retryPipelineRoute } from './retry-pipeline.js';
import { rollbackPipelineRoute } from './rollback-pipeline.js';
import { sharedSchemas } from './schemas.js';
import { stageLogRoute } from './stage-log.js';
import { triggerPipelineRoute } from './trigger-pipeline.js';

/**
 * The REST API, registered under `/api/v1`: auth (a bearer token, or the user a trusted reverse
 * proxy names) for every route of this scope, input
 * validated by JSON Schema (400 FERRY_ERR_API_INVALID_INPUT), handlers that call the pipeline
 * actions, and the OpenAPI document of it all at `/openapi.json`.
 */
export async function apiRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  await registerOpenApi(app, { auth: ctx.config.auth, publicUrl: ctx.config.server.publicUrl });
  for (const schema of sharedSchemas) app.addSchema(schema);
  installAuth(app, ctx.config.auth);
  app.setSchemaErrorFormatter(invalidInput);
  // JSON only: anything else answers 415 instead of reaching a schema as a string.
  app.removeContentTypeParser('text/plain');
  // Records go out as stored: plain JSON encoding (the response schemas document, they do not filter).
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  listPipelinesRoute(app, ctx);
  getPipelineRoute(app, ctx);
  triggerPipelineRoute(app, ctx);
  cancelPipelineRoute(app, ctx);
  retryPipelineRoute(app, ctx);
  rollbackPipelineRoute(app, ctx);
  approvePipelineRoute(app, ctx);
  canaryDecisionRoutes(app, ctx);
  stageLogRoute(app, ctx);
  eventsRoute(app, ctx);
  environmentsRoute(app, ctx);
  deploymentsRoute(app, ctx);
  meRoute(app, ctx);
  openApiDocumentRoute(app);
}
