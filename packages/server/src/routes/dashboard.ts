import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../app/server-context.js';
import { baseHref, contentSecurityPolicy, missingBuildPage, renderIndex } from './dashboard-html.js';

export interface DashboardOptions {
  /** The web build (`packages/web/dist`, the same from `src/` and `dist/`). */
  assetsDir?: string;
}

/** Paths of the single-page app: each answers the same page, whose router shows the right view. */
export const dashboardPages = ['/', '/pipelines', '/pipelines/:id', '/environments', '/deployments'] as const;

export const defaultAssetsDir = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

/**
 * The dashboard: the pages (stable deep links: GitLab and WeCom link to `/pipelines/:id` forever)
 * and the built assets. Hashed assets are cached for a year; pages are revalidated every time so a
 * new release is picked up at once. Registered in the base-path scope.
 */
export async function dashboardRoutes(
  app: FastifyInstance,
  ctx: ServerContext,
  options: DashboardOptions = {},
): Promise<void> {
  const dir = options.assetsDir ?? defaultAssetsDir;
  const { basePath, trustProxy } = ctx.config.server;

  await app.register(fastifyStatic, {
    root: join(dir, 'assets'),
    prefix: '/assets/',
    index: false,
    maxAge: '365d',
    immutable: true,
    decorateReply: false,
  });

  const page = async (request: FastifyRequest, reply: FastifyReply) => {
    securityHeaders(reply).header('cache-control', 'no-cache').type('text/html; charset=utf-8');
    let template: string;
    try {
      // Read each time (it is small): a rebuilt dashboard is served without a restart.
      template = await readFile(join(dir, 'index.html'), 'utf8');
    } catch {
      request.log.warn({ dir }, 'dashboard: no web build found');
      return reply.code(503).send(missingBuildPage(basePath, dir));
    }
    const forwarded = request.headers['x-forwarded-prefix'];
    const href = baseHref(basePath, typeof forwarded === 'string' ? forwarded : undefined, trustProxy);
    return reply.send(renderIndex(template, href));
  };
  for (const path of dashboardPages) app.get(path, { logLevel: 'warn' }, page);

  app.get('/favicon.svg', { logLevel: 'warn' }, async (request, reply) => {
    try {
      const icon = await readFile(join(dir, 'favicon.svg'));
      return reply.header('cache-control', 'public, max-age=86400').type('image/svg+xml').send(icon);
    } catch {
      request.log.debug('dashboard: no favicon in the web build');
      return reply.code(404).send();
    }
  });
}

function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', contentSecurityPolicy)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .header('x-frame-options', 'DENY');
}
