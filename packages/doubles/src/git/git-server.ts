import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

import { checkGitAuth, type GitAuthDecision, gitHttpBackend } from './http-backend.js';

const exec = promisify(execFile);

export interface GitServerOptions {
  /**
   * When set, every request needs it: `Authorization: Bearer <token>` or HTTP Basic with the
   * token as password (any user, like GitLab's `oauth2:<token>`). Others get 401.
   */
  token?: string;
}

export interface GitRequestRecord {
  method: string;
  path: string;
  /** What the auth check decided ('none' when the server has no token). */
  auth: GitAuthDecision;
}

export interface TestRepo {
  name: string;
  /** `http://127.0.0.1:<port>/<name>.git`, as GitLab's `git_http_url`. */
  cloneUrl: string;
  /** The working copy commits are made in (pushed to the served bare repository). */
  workDir: string;
  /** The sha a branch points at. */
  head(branch?: string): Promise<string>;
  /** Writes files (null deletes one), commits on `branch` (default: the repo's first branch), pushes; returns the sha. */
  commit(
    files: Record<string, string | Uint8Array | null>,
    message: string,
    branch?: string,
  ): Promise<string>;
  /** Creates `name` at `from` (a branch or sha, default the first branch) and pushes it; returns its sha. */
  createBranch(name: string, from?: string): Promise<string>;
  /** Merges `from` into `into` with a merge commit (as a GitLab merge does) and pushes; returns the merge sha. */
  merge(options: { from: string; into: string; message?: string }): Promise<string>;
}

export interface GitServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  createRepo(name: string, files: Record<string, string | Uint8Array>, branch?: string): Promise<TestRepo>;
  /** Every request served, in order. */
  readonly requests: readonly GitRequestRecord[];
  close(): Promise<void>;
}

/**
 * A git server on loopback for tests: repositories built in a temp dir with git, served over
 * smart HTTP by `git http-backend` (CGI) behind node:http, as GitLab serves `git_http_url`.
 * Protocol v2 is passed through (Git-Protocol header), so clients can fetch a commit by sha.
 */
export async function startGitServer(options: GitServerOptions = {}): Promise<GitServer> {
  const root = await mkdtemp(join(tmpdir(), 'ferry-git-server-'));
  const reposDir = join(root, 'repos');
  const workRoot = join(root, 'work');
  await mkdir(reposDir, { recursive: true });
  await mkdir(workRoot, { recursive: true });
  const gitEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: root,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Ferry Test',
    GIT_AUTHOR_EMAIL: 'test@ferry.invalid',
    GIT_COMMITTER_NAME: 'Ferry Test',
    GIT_COMMITTER_EMAIL: 'test@ferry.invalid',
  };
  const git = async (cwd: string, args: string[]) =>
    (await exec('git', args, { cwd, env: gitEnv, maxBuffer: 16 * 1024 * 1024 })).stdout.trim();

  const requests: GitRequestRecord[] = [];
  const server = createServer((req, res) => {
    serve(req, res).catch((err: Error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`git server error: ${err.message}\n`);
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const auth = checkGitAuth(req.headers.authorization, options.token);
    requests.push({ method: req.method ?? 'GET', path: url.pathname, auth });
    if (auth === 'refused') {
      req.resume();
      res.writeHead(401, {
        'www-authenticate': 'Basic realm="ferry-test-git"',
        'content-type': 'text/plain',
      });
      res.end('HTTP Basic: Access denied\n');
      return;
    }
    await gitHttpBackend(req, res, { projectRoot: reposDir, env: gitEnv });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function createRepo(
    name: string,
    files: Record<string, string | Uint8Array>,
    branch = 'main',
  ): Promise<TestRepo> {
    if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(name)) throw new Error(`bad repo name ${name}`);
    const bare = join(reposDir, `${name}.git`);
    const work = join(workRoot, name);
    await mkdir(dirname(bare), { recursive: true });
    await git(root, ['init', '-q', '--bare', bare]);
    await git(bare, ['config', 'http.receivepack', 'false']);
    await git(bare, ['config', 'uploadpack.allowReachableSHA1InWant', 'true']);
    await mkdir(work, { recursive: true });
    await git(work, ['init', '-q', '-b', branch]);
    await git(work, ['remote', 'add', 'origin', bare]);

    const writeFiles = async (changes: Record<string, string | Uint8Array | null>) => {
      for (const [path, content] of Object.entries(changes)) {
        const file = join(work, path);
        if (content === null) await rm(file, { force: true });
        else {
          await mkdir(dirname(file), { recursive: true });
          await writeFile(file, content);
        }
      }
    };
    const commitOn = async (
      target: string,
      changes: Record<string, string | Uint8Array | null>,
      message: string,
    ) => {
      await git(work, ['checkout', '-q', target]);
      await writeFiles(changes);
      await git(work, ['add', '-A']);
      await git(work, ['commit', '-q', '--allow-empty', '-m', message]);
      await git(work, ['push', '-q', 'origin', target]);
      return git(work, ['rev-parse', 'HEAD']);
    };

    await writeFiles(files);
    await git(work, ['add', '-A']);
    await git(work, ['commit', '-q', '--allow-empty', '-m', 'initial commit']);
    await git(work, ['push', '-q', 'origin', branch]);

    return {
      name,
      cloneUrl: `${base}/${name}.git`,
      workDir: work,
      head: (b = branch) => git(work, ['rev-parse', `refs/heads/${b}`]),
      commit: (changes, message, b = branch) => commitOn(b, changes, message),
      async createBranch(newBranch, from = branch) {
        await git(work, ['branch', newBranch, from]);
        await git(work, ['push', '-q', 'origin', newBranch]);
        return git(work, ['rev-parse', `refs/heads/${newBranch}`]);
      },
      async merge({ from, into, message }) {
        await git(work, ['checkout', '-q', into]);
        await git(work, [
          'merge',
          '-q',
          '--no-ff',
          '-m',
          message ?? `Merge branch '${from}' into '${into}'`,
          from,
        ]);
        await git(work, ['push', '-q', 'origin', into]);
        return git(work, ['rev-parse', 'HEAD']);
      },
    };
  }

  return {
    url: base,
    createRepo,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(root, { recursive: true, force: true });
    },
  };
}
