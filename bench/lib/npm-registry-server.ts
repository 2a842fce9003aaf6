// A read-only npm registry over static files, for the benches' sample service: what `npm install`
// and `npm ci` ask of a registry (npm's registry API, github.com/npm/registry docs/REGISTRY-API.md):
// `GET /<name>` (a scoped name comes as `/@scope%2fname`) answers the packument, and the packuments'
// `dist.tarball` URLs point at `GET /-/t/<file>.tgz`. Node built-ins only: the same module serves on
// the host (making the lockfile) and, transpiled, in the registry's service image (node only), run as
// `node server.mjs <port> <dir>` (dir holds packuments/ and tarballs/).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join, normalize } from 'node:path';

/** The file that answers `url` under `dir`, or undefined when the path would leave it. Pure. */
export function fileFor(dir: string, url: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(url.split('?')[0] ?? '');
  } catch {
    return undefined;
  }
  const relative = path.startsWith('/-/t/')
    ? join('tarballs', path.slice('/-/t/'.length))
    : join('packuments', `${path.slice(1)}.json`);
  const file = normalize(join(dir, relative));
  return file.startsWith(`${normalize(dir)}/`) ? file : undefined;
}

/** Starts the registry on 127.0.0.1:`port` (0: any free port); resolves once it listens. */
export function startNpmRegistry(dir: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const file = req.method === 'GET' || req.method === 'HEAD' ? fileFor(dir, req.url ?? '/') : undefined;
    const notFound = () => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":"not found"}');
    };
    if (file === undefined) return notFound();
    stat(file).then((info) => {
      res.writeHead(200, {
        'content-type': file.endsWith('.tgz') ? 'application/octet-stream' : 'application/json',
        'content-length': info.size,
      });
      if (req.method === 'HEAD') res.end();
      else createReadStream(file).pipe(res);
    }, notFound);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

// Run as a program (the service image): node server.mjs <port> <dir>.
if (process.argv[1] !== undefined && import.meta.url === `file://${process.argv[1]}`) {
  const [port, dir] = process.argv.slice(2);
  const server = await startNpmRegistry(dir ?? '/srv/registry', Number(port ?? 4873));
  process.stdout.write(`npm registry on ${JSON.stringify(server.address())}\n`);
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}
