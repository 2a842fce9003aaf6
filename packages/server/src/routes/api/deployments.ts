import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../app/server-context.js';
import type { DeploymentQuery } from '../../history/audit/deployment-entry.js';
import { closed, errorResponses } from './schemas.js';

interface DeploymentsQuery {
  project?: string;
  environment?: string;
  since?: string;
  limit: number;
}

const entrySchema = {
  type: 'object',
  required: ['pipelineId', 'project', 'environment', 'kind', 'user', 'sha', 'at', 'outcome'],
  properties: {
    pipelineId: { type: 'string' },
    project: { type: 'object', properties: { id: { type: 'integer' }, path: { type: 'string' } } },
    environment: { type: 'string' },
    kind: {
      type: 'string',
      enum: ['deploy', 'rollback', 'canary'],
      description: 'canary: a promote or abort of a canary step of the pipeline, decided through Ferry.',
    },
    user: {
      type: 'string',
      description:
        'Who merged, pushed or asked for it (GitLab username or API token name); for a canary step, who decided.',
    },
    sha: { type: 'string', description: 'The commit deployed.' },
    imageDigest: { type: 'string', description: 'sha256:… of the image deployed.' },
    imageReference: { type: 'string' },
    at: {
      type: 'string',
      format: 'date-time',
      description:
        'When the deploy stage ended (started, while it runs); for a canary step, when it was decided.',
    },
    outcome: {
      type: 'string',
      description:
        'The deploy stage status (success, failed, canceled, running), or rolled_back; for a canary step, promoted or aborted.',
    },
    rolledBackTo: {
      type: 'string',
      description: 'The commit the environment went back to after a failed rollout.',
    },
    canaryStep: {
      type: 'string',
      description: 'A canary step: which one (`1/3 10%`), as the canary Deployment said when it was decided.',
    },
  },
} as const;

/**
 * `GET /deployments`: the audit trail, every deploy, rollback and canary step (who, which commit, which image
 * digest, when, outcome), newest first, from the live pipelines and the archive alike.
 */
export function deploymentsRoute(app: FastifyInstance, ctx: ServerContext): void {
  app.get<{ Querystring: DeploymentsQuery }>(
    '/deployments',
    {
      config: { role: 'viewer' },
      schema: {
        operationId: 'listDeployments',
        summary: 'The audit trail: every deploy, rollback and canary step, newest first',
        description:
          'From live and archived pipelines alike, kept as long as `history.retention` keeps records. ' +
          '`archive: "unavailable"` means the archive could not be read and only live entries are listed.',
        tags: ['audit'],
        querystring: closed({
          project: {
            type: 'string',
            minLength: 1,
            maxLength: 255,
            description: 'GitLab project id (digits) or path (group/name).',
          },
          environment: { type: 'string', minLength: 1, maxLength: 100 },
          since: {
            type: 'string',
            format: 'date-time',
            description: 'Only deployments at or after this time.',
          },
          limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
        }),
        response: {
          200: {
            description: 'Deployments, newest first.',
            type: 'object',
            required: ['items'],
            properties: {
              items: { type: 'array', items: entrySchema },
              archive: { type: 'string', enum: ['unavailable'] },
            },
          },
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      const { project, environment, since, limit } = request.query;
      const query: DeploymentQuery = { limit };
      if (project !== undefined) {
        if (/^\d+$/.test(project)) query.projectId = Number(project);
        else query.projectPath = project;
      }
      if (environment !== undefined) query.environment = environment;
      if (since !== undefined) query.since = new Date(since).toISOString();
      return ctx.audit.deployments(query);
    },
  );
}
