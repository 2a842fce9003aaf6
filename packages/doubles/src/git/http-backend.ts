import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** What a token check of a git request decided ('none' when no token is required). */
export type GitAuthDecision = 'none' | 'accepted' | 'refused';

export interface GitHttpBackendOptions {
  /** The directory holding the served repositories (`GIT_PROJECT_ROOT`). */
  projectRoot: string;
  /** The environment `git http-backend` runs with (PATH, HOME, ...). */
  env: NodeJS.ProcessEnv;
}

/**
 * Serves one request by `git http-backend` (CGI, smart HTTP) under `projectRoot`, every repository
 * exported. Protocol v2 is passed through (the Git-Protocol header), so clients can fetch a commit
 * by sha. As git's own documentation (git-http-backend(1)) runs it behind a web server.
 */
export async function gitHttpBackend(
  req: IncomingMessage,
  res: ServerResponse,
  options: GitHttpBackendOptions,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const env: NodeJS.ProcessEnv = {
    ...options.env,
    GIT_PROJECT_ROOT: options.projectRoot,
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.slice(1),
    REQUEST_METHOD: req.method ?? 'GET',
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    CONTENT_TYPE: req.headers['content-type'] ?? '',
  };
  if (req.headers['content-length'] !== undefined) env.CONTENT_LENGTH = req.headers['content-length'];
  if (req.headers['content-encoding'] !== undefined)
    env.HTTP_CONTENT_ENCODING = req.headers['content-encoding'];
  const protocol = req.headers['git-protocol'];
  if (typeof protocol === 'string') env.GIT_PROTOCOL = protocol;
  const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
  req.pipe(child.stdin);
  child.stdin.on('error', () => {});
  res.on('close', () => child.kill());
  await relayCgi(child.stdout, res);
}

/**
 * The token check GitLab makes of a clone: `Authorization: Bearer <token>`, or HTTP Basic with the
 * token as password (any user, like `oauth2:<token>`).
 */
export function checkGitAuth(header: string | undefined, token: string | undefined): GitAuthDecision {
  if (token === undefined) return 'none';
  if (header === undefined) return 'refused';
  const [scheme, value = ''] = header.split(' ', 2);
  if (scheme?.toLowerCase() === 'bearer') return value === token ? 'accepted' : 'refused';
  if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const password = decoded.slice(decoded.indexOf(':') + 1);
    return decoded.includes(':') && password === token ? 'accepted' : 'refused';
  }
  return 'refused';
}

/** Relays a CGI response: header lines (with `Status:`) up to a blank line, then the body as it streams. */
function relayCgi(out: NodeJS.ReadableStream, res: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    let head = Buffer.alloc(0);
    let inBody = false;
    out.on('data', (chunk: Buffer) => {
      if (inBody) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const crlf = head.indexOf('\r\n\r\n');
      const lf = head.indexOf('\n\n');
      const end = crlf !== -1 && (lf === -1 || crlf < lf) ? crlf + 4 : lf !== -1 ? lf + 2 : -1;
      if (end === -1) return;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, end).toString('latin1').split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon <= 0) continue;
        const key = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (key.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 500;
        else headers[key] = value;
      }
      res.writeHead(status, headers);
      inBody = true;
      const rest = head.subarray(end);
      if (rest.length > 0) res.write(rest);
    });
    out.on('end', () => {
      if (!inBody && !res.headersSent) res.writeHead(502);
      res.end();
      resolve();
    });
    out.on('error', reject);
  });
}
