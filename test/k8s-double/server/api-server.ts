/** The HTTPS server: authentication, injected faults, routing, and Status bodies for errors. */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { apiGroup, apiGroupList, apiVersions, resourceList, version } from '../api/discovery.js';
import { ApiError } from '../api/status.js';
import { requestAttributes } from '../auth/attributes.js';
import { serveAuthRoute } from '../auth/routes.js';
import type { DoubleLogger } from '../logger.js';
import { serveOpenApi } from '../openapi/routes.js';
import type { RouteDeps } from '../routes/context.js';
import { serveResource } from '../routes/rest.js';
import type { FaultList } from './faults.js';
import { parseBody, readBody, responseWarnings, sendError, sendJson } from './http-io.js';
import { route } from './router.js';
import type { TlsMaterial } from './tls.js';

export interface ApiServerOptions {
  host: string;
  port: number;
  tls?: TlsMaterial;
  deps: RouteDeps;
  faults: FaultList;
  logger: DoubleLogger;
}

export interface RunningApiServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const notFoundResource = () =>
  new ApiError(404, 'NotFound', 'the server could not find the requested resource');

/** The field manager name the apiserver derives from a user agent: its product name. */
function managerFrom(req: IncomingMessage, url: URL): string {
  const explicit = url.searchParams.get('fieldManager');
  if (explicit) return explicit;
  const ua = req.headers['user-agent'] ?? 'unknown';
  return ua.split('/')[0]!.trim() || 'unknown';
}

async function handle(req: IncomingMessage, res: ServerResponse, opts: ApiServerOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://127.0.0.1');
  const r = route(url.pathname, opts.deps.catalog);
  // Health and version are public (system:public-info-viewer binds system:unauthenticated too).
  const publicPath = r.type === 'health' || r.type === 'version';
  const user = publicPath ? undefined : opts.deps.auth.authenticate(req.headers.authorization);
  const attributes = user ? requestAttributes(req.method ?? 'GET', url, r, user) : undefined;
  if (attributes) opts.deps.auth.authorize(attributes);
  const fault = opts.faults.take(req.method ?? 'GET', url.pathname);
  if (fault) throw fault;
  if (url.pathname === '/openapi/v3' || url.pathname.startsWith('/openapi/v3/'))
    return serveOpenApi(res, url, opts.deps);
  switch (r.type) {
    case 'version':
      return sendJson(res, 200, version());
    case 'health':
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
      return;
    case 'apiVersions':
      return sendJson(res, 200, apiVersions());
    case 'apiGroupList':
      return sendJson(res, 200, apiGroupList(opts.deps.catalog));
    case 'apiGroup': {
      const g = apiGroup(opts.deps.catalog, r.group);
      if (!g) throw notFoundResource();
      return sendJson(res, 200, g);
    }
    case 'resourceList': {
      const list = resourceList(opts.deps.catalog, r.group, r.version);
      if (!list) throw notFoundResource();
      return sendJson(res, 200, list);
    }
    case 'unknown':
      throw notFoundResource();
    case 'resource': {
      let parsed: { value: unknown } | undefined;
      const warnings: string[] = [];
      responseWarnings.set(res, warnings);
      const ctx = {
        req,
        res,
        url,
        warnings,
        manager: managerFrom(req, url),
        body: async () => {
          parsed ??= { value: parseBody(await readBody(req), req.headers['content-type']) };
          return structuredClone(parsed.value);
        },
        user: user!,
        authorizeCreate: () => opts.deps.auth.authorizeCreate(attributes!),
      };
      if (await serveAuthRoute(ctx, r, opts.deps)) return;
      await serveResource(ctx, r, opts.deps);
    }
  }
}

export async function startApiServer(opts: ApiServerOptions): Promise<RunningApiServer> {
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res, opts).catch((err: unknown) => {
      if (err instanceof ApiError) {
        opts.logger.debug(
          { method: req.method, url: req.url, code: err.code, reason: err.reason },
          err.message,
        );
        sendError(res, err);
        return;
      }
      opts.logger.error(
        { method: req.method, url: req.url, err: String((err as Error)?.stack ?? err) },
        'k8s-double internal error',
      );
      sendError(
        res,
        new ApiError(
          500,
          'InternalError',
          `Internal error occurred: ${(err as Error)?.message ?? String(err)}`,
        ),
      );
    });
  };
  const server: Server = opts.tls
    ? createHttpsServer({ key: opts.tls.key, cert: opts.tls.cert }, listener)
    : createHttpServer(listener);
  server.keepAliveTimeout = 60_000;
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('secureConnection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const scheme = opts.tls ? 'https' : 'http';
  return {
    url: `${scheme}://${opts.host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
