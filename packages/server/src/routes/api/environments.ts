import type { PipelineRecord } from '@ferry/shared';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../app/server-context.js';
import type { PipelineFilter } from '../../store/pipeline-store.js';
import { type EnvironmentSummary, summariseEnvironments } from './environment-summary.js';
import { filterOf } from './list-pipelines.js';
import { closed, errorResponses, pipelineRef } from './schemas.js';

interface EnvironmentsAnswer {
  items: EnvironmentSummary[];
  configured: { name: string; branch: string; approval: boolean }[];
}

interface EnvironmentsQuery {
  project?: string;
  environment?: string;
  recent: number;
}

/** How many of the latest pipelines are read to find the environments (newest first). */
const scanLimit = 1000;
/**
 * Every open overview reloads when a pipeline moves. Answers are shared while no transition has
 * been recorded since (the event stream's last id is part of the key), so many browsers reloading
 * after the same transition cost one scan, and nobody gets an answer older than the last change.
 */
const keepMs = 10_000;

/**
 * `GET /environments`: per project and environment, what is deployed (the last successful
 * pipeline: commit, who, when, and the image when the record has one) and the latest pipelines.
 * Answers "what is in staging now?".
 */
export function environmentsRoute(app: FastifyInstance, ctx: ServerContext): void {
  const recent = new Map<string, { at: number; answer: Promise<EnvironmentsAnswer> }>();
  const summarise = async (query: EnvironmentsQuery): Promise<EnvironmentsAnswer> => {
    const latest = await scan(ctx, filterOf({ ...query, limit: 200 }));
    const items = summariseEnvironments(latest, Object.keys(ctx.config.environments), query.recent);
    await Promise.all(items.map((item) => findDeployed(ctx, item)));
    // One entry per environment: its first branch (an environment may take several).
    const configured: EnvironmentsAnswer['configured'] = [];
    for (const r of ctx.environments.rules())
      if (!configured.some((c) => c.name === r.environment))
        configured.push({ name: r.environment, branch: r.branch, approval: r.approval });
    return { items, configured };
  };
  app.get<{ Querystring: EnvironmentsQuery }>(
    '/environments',
    {
      config: { role: 'viewer' },
      schema: {
        operationId: 'listEnvironments',
        summary: 'What is deployed where, and the latest pipelines of each environment',
        description:
          `Environments of the projects among the latest ${scanLimit} pipelines, in the configured order. ` +
          '`deployed` is the last successful pipeline (absent when none succeeded); `recent` the latest ones, newest first.',
        tags: ['environments'],
        querystring: closed({
          project: {
            type: 'string',
            minLength: 1,
            maxLength: 255,
            description: 'GitLab project id (digits) or path (group/name).',
          },
          environment: { type: 'string', minLength: 1, maxLength: 100 },
          recent: { type: 'integer', minimum: 1, maximum: 20, default: 5 },
        }),
        response: {
          200: {
            type: 'object',
            required: ['items', 'configured'],
            properties: {
              configured: {
                description:
                  'Every configured environment and its branch, also those no pipeline has run in yet.',
                type: 'array',
                items: {
                  type: 'object',
                  required: ['name', 'branch', 'approval'],
                  properties: {
                    name: { type: 'string' },
                    branch: { type: 'string' },
                    approval: { type: 'boolean' },
                  },
                },
              },
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['project', 'environment', 'recent'],
                  properties: {
                    project: {
                      type: 'object',
                      properties: {
                        id: { type: 'integer' },
                        path: { type: 'string' },
                        webUrl: { type: 'string' },
                      },
                    },
                    environment: { type: 'string' },
                    deployed: pipelineRef,
                    recent: { type: 'array', items: pipelineRef },
                  },
                },
              },
            },
          },
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      const last = await ctx.redis.xrevrange(`${ctx.config.redis.keyPrefix}:events`, '+', '-', 'COUNT', 1);
      const key = `${last[0]?.[0] ?? '0-0'} ${JSON.stringify(request.query)}`;
      const now = Date.now();
      for (const [k, v] of recent) if (now - v.at > keepMs) recent.delete(k);
      let entry = recent.get(key);
      if (entry === undefined) {
        entry = { at: now, answer: summarise(request.query) };
        recent.set(key, entry);
        // A failed scan is not shared: the next caller tries again.
        entry.answer.catch(() => recent.delete(key));
      }
      return entry.answer;
    },
  );
}

async function scan(ctx: ServerContext, filter: PipelineFilter): Promise<PipelineRecord[]> {
  const out: PipelineRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await ctx.store.list(filter, 200, cursor);
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== undefined && out.length < scanLimit);
  return out;
}

/** An environment whose last success is older than the scan: look for it in its project's history. */
async function findDeployed(ctx: ServerContext, item: EnvironmentSummary): Promise<void> {
  if (item.deployed !== undefined) return;
  const page = await ctx.store.list(
    { projectId: item.project.id, environment: item.environment, status: 'success' },
    1,
  );
  const deployed = page.items[0];
  if (deployed !== undefined) item.deployed = deployed;
}
