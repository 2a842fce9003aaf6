/** `GET /openapi/v3` and `/openapi/v3/<group-version>` (JSON). */
import type { ServerResponse } from 'node:http';
import { ApiError } from '../api/status.js';
import type { RouteDeps } from '../routes/context.js';
import { sendJson } from '../server/http-io.js';

export function serveOpenApi(res: ServerResponse, url: URL, deps: RouteDeps): void {
  if (url.pathname === '/openapi/v3' || url.pathname === '/openapi/v3/') {
    sendJson(res, 200, deps.openapi.discovery());
    return;
  }
  const text = deps.openapi.document(url.pathname.slice('/openapi/v3/'.length));
  if (text === undefined)
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': url.searchParams.has('hash') ? 'public, immutable' : 'no-cache, private',
  });
  res.end(text);
}
