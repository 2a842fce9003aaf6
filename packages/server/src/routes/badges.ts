import { FerryError, type PipelineRecord, ServerErrors } from '@ferry/shared';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../app/server-context.js';
import { badgeFor } from '../badges/badge-state.js';
import { badgeSvg } from '../badges/badge-svg.js';
import type { PipelineFilter } from '../store/pipeline-store.js';

/** How many of the newest pipelines are looked through for the last environment (not MR) one. */
const scan = 20;

/** The newest pipeline of an environment branch that matches (merge request checks left out). */
async function newest(ctx: ServerContext, filter: PipelineFilter): Promise<PipelineRecord | undefined> {
  const page = await ctx.store.list(filter, scan);
  return page.items.find((p) => p.kind !== 'merge_request');
}

/**
 * `GET /badges/<project>/<env>.svg` (project: its path `group/name` or its id): the status badge
 * for READMEs. No token, like shields.io badges (`badges.enabled: false` turns it off); a
 * project or environment without pipelines gets the same grey "not deployed" badge as an unknown
 * one, so the badge does not tell which projects Ferry knows.
 */
export async function badgeRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  if (!ctx.config.badges.enabled) return;
  app.get<{ Params: { '*': string } }>('/badges/*', { logLevel: 'warn' }, async (request, reply) => {
    const match = /^(.+)\/([^/]+)\.svg$/.exec(request.params['*']);
    if (match === null) throw new FerryError(ServerErrors.NOT_FOUND, { method: 'GET', url: request.url });
    const [, projectRef, environment] = match as unknown as [string, string, string];
    const project = await ctx.store.project(projectRef);
    let last: PipelineRecord | undefined;
    let deployed: PipelineRecord | undefined;
    if (project !== undefined) {
      last = await newest(ctx, { projectId: project.id, environment });
      deployed = await newest(ctx, { projectId: project.id, environment, status: 'success' });
    }
    return reply
      .type('image/svg+xml; charset=utf-8')
      .header('cache-control', 'no-cache, max-age=0')
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .send(badgeSvg(badgeFor(environment, last, deployed)));
  });
}
