import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkGitAuth, gitHttpBackend } from '@ferry/doubles/git';

export interface SnapshotServer {
  /** `http://127.0.0.1:<port>/<repo>`: what the runner clones, as it clones from GitLab. */
  cloneUrl: string;
  /** The token every request must carry (the runner sends it as it sends GitLab's clone token). */
  token: string;
  close(): Promise<void>;
}

/**
 * Serves the bare repositories in `root` over git's smart HTTP on loopback for one `ferry exec`,
 * each request checked against a token of its own (another local user cannot read the working
 * tree while it runs). Runners reach it as they reach GitLab: the docker executor's containers use
 * the host network.
 */
export async function startSnapshotServer(root: string, repo: string): Promise<SnapshotServer> {
  const token = randomBytes(24).toString('base64url');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: root,
    GIT_CONFIG_NOSYSTEM: '1',
  };
  const server = createServer((req, res) => {
    if (checkGitAuth(req.headers.authorization, token) !== 'accepted') {
      req.resume();
      res.writeHead(401, { 'www-authenticate': 'Basic realm="ferry-exec"', 'content-type': 'text/plain' });
      res.end('HTTP Basic: Access denied\n');
      return;
    }
    gitHttpBackend(req, res, { projectRoot: root, env }).catch((err: Error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`git error: ${err.message}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    cloneUrl: `http://127.0.0.1:${port}/${repo}`,
    token,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
