import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type GitServer, startGitServer, type TestRepo } from '@ferry/doubles/git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureRunnerBuilt, type StagedRunner, stageRunnerImageContext } from './runner-build.js';

/** The runner as tsc builds it (the local executor runs this one). */
const distBin = fileURLToPath(new URL('../../packages/runner/bin/ferry-runner.js', import.meta.url));
const token = `tok-${randomBytes(8).toString('hex')}`;

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs ferry-runner asynchronously (the git server lives in this process), `stdin` on its input. */
function runFrom(
  bin: string,
  args: string[],
  env: Record<string, string> = {},
  stdin = '',
): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [bin, ...args],
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir(), ...env } },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(stdin);
  });
}

/** Pids of live `sleep <marker>` processes. */
async function processesWith(marker: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of (await readdir('/proc')).filter((n) => /^\d+$/.test(n))) {
    try {
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      if (cmdline === `sleep\0${marker}\0` && !/\) Z /.test(stat)) found.push(pid);
    } catch {
      // Gone.
    }
  }
  return found;
}

// The same suite on both forms of the program: tsc's output, and the bundle the runner image holds
// (scripts/lib/runner-bundle.mjs), which must behave exactly alike.
describe.each([
  ['tsc output', false],
  ['runner image bundle', true],
] as const)('ferry-runner (%s)', (_form, bundled) => {
  let git: GitServer;
  let repo: TestRepo;
  let first: string;
  let work: string;
  let staged: StagedRunner | undefined;
  let bin = distBin;
  const runner = (args: string[], env: Record<string, string> = {}, stdin = '') =>
    runFrom(bin, args, env, stdin);

  beforeAll(async () => {
    await ensureRunnerBuilt();
    if (bundled) {
      staged = await stageRunnerImageContext();
      bin = staged.bin;
    }
    git = await startGitServer({ token });
    repo = await git.createRepo('group/app', { VERSION: 'one\n' });
    first = await repo.head();
    await repo.commit({ VERSION: 'two\n' }, 'later');
    work = await mkdtemp(join(tmpdir(), 'ferry-runner-cli-'));
  });

  afterAll(async () => {
    await git?.close();
    if (work !== undefined) await rm(work, { recursive: true, force: true });
    await staged?.remove();
  });

  describe('clone', () => {
    it('checks out the exact sha, the token only in a header', async () => {
      const dir = join(work, 'ok');
      const out = await runner(['clone', '--dir', dir], {
        FERRY_CLONE_URL: repo.cloneUrl,
        FERRY_SHA: first,
        FERRY_REF: 'main',
        FERRY_CLONE_TOKEN: token,
      });
      expect(out.code).toBe(0);
      expect(await readFile(join(dir, 'VERSION'), 'utf8')).toBe('one\n');
      expect(out.stdout).toContain(`checked out ${first}`);
      expect(out.stdout + out.stderr).not.toContain(token);
      // Nothing of the token is stored in the checkout.
      expect(await readFile(join(dir, '.git', 'config'), 'utf8')).not.toContain(token);
      expect(git.requests.filter((r) => r.auth === 'refused')).toEqual([]);
    });

    it('fetches the one commit shallow with git: the capability GET, one POST, origin set', async () => {
      const before = git.requests.length;
      const dir = join(work, 'shallow');
      const out = await runner(['clone', '--dir', dir], {
        FERRY_CLONE_URL: repo.cloneUrl,
        FERRY_SHA: first,
        FERRY_CLONE_TOKEN: token,
      });
      expect(out.code, out.stderr).toBe(0);
      expect(out.stdout).toContain(`git fetch --depth 1 --no-tags origin ${first}`);
      expect(git.requests.slice(before)).toEqual([
        { method: 'GET', path: '/group/app.git/info/refs', auth: 'accepted' },
        { method: 'POST', path: '/group/app.git/git-upload-pack', auth: 'accepted' },
      ]);
      expect(await readFile(join(dir, 'VERSION'), 'utf8')).toBe('one\n');
      // Depth 1: the commit alone, not its history.
      expect((await readFile(join(dir, '.git', 'shallow'), 'utf8')).trim()).toBe(first);
      const gitOut = (...args: string[]) =>
        new Promise<string>((resolve, reject) =>
          execFile('git', args, { cwd: dir }, (err, stdout) => (err ? reject(err) : resolve(stdout.trim()))),
        );
      expect(await gitOut('log', '--format=%H')).toBe(first);
      expect(await gitOut('remote', 'get-url', 'origin')).toBe(repo.cloneUrl);
      // No template copied into a workspace that lives for one stage.
      await expect(readdir(join(dir, '.git', 'hooks'))).rejects.toThrow(/ENOENT/);
    });

    it('refuses a workspace that already holds a git repository, and leaves it alone', async () => {
      const dir = join(work, 'existing');
      await new Promise<void>((resolve, reject) =>
        execFile('git', ['init', '-q', dir], (err) => (err ? reject(err) : resolve())),
      );
      const config = await readFile(join(dir, '.git', 'config'), 'utf8');
      const out = await runner(['clone', '--dir', dir], { FERRY_CLONE_URL: repo.cloneUrl, FERRY_SHA: first });
      expect(out.code).toBe(1);
      expect(out.stderr).toContain('already holds a git repository');
      expect(await readFile(join(dir, '.git', 'config'), 'utf8')).toBe(config);
    });

    it('follows a redirect of the repository as git does, and still clones', async () => {
      const open = await startGitServer();
      const moved = await open.createRepo('moved/app', { VERSION: 'moved\n' });
      const sha = await moved.head();
      const redirect = createServer((req, res) => {
        res.writeHead(301, {
          location: `${open.url}${(req.url ?? '/').replace('/old/app.git', '/moved/app.git')}`,
        });
        res.end();
      });
      await new Promise<void>((resolve) => redirect.listen(0, '127.0.0.1', resolve));
      try {
        const url = `http://127.0.0.1:${(redirect.address() as AddressInfo).port}/old/app.git`;
        const dir = join(work, 'redirected');
        const out = await runner(['clone', '--dir', dir], { FERRY_CLONE_URL: url, FERRY_SHA: sha });
        expect(out.code, out.stderr).toBe(0);
        expect(await readFile(join(dir, 'VERSION'), 'utf8')).toBe('moved\n');
      } finally {
        redirect.closeAllConnections();
        await new Promise<void>((resolve) => redirect.close(() => resolve()));
        await open.close();
      }
    });

    it('takes the token from standard input with --token-stdin, never from the environment', async () => {
      const dir = join(work, 'stdin');
      const env = { FERRY_CLONE_URL: repo.cloneUrl, FERRY_SHA: first, FERRY_CLONE_TOKEN: 'not-this-one' };
      const out = await runner(['clone', '--dir', dir, '--token-stdin'], env, `${token}\n`);
      expect(out.code).toBe(0);
      expect(await readFile(join(dir, 'VERSION'), 'utf8')).toBe('one\n');
      expect(out.stdout + out.stderr).not.toContain(token);
      const refused = await runner(['clone', '--dir', join(work, 'stdin-2'), '--token-stdin'], env, 'a\nb\n');
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/line break/);
    });

    it.each<[string, () => Record<string, string>, number, RegExp]>([
      [
        'a wrong token → 3',
        () => ({ FERRY_CLONE_URL: repo.cloneUrl, FERRY_SHA: first, FERRY_CLONE_TOKEN: 'wrong-token-x' }),
        3,
        /refused the clone token \(HTTP 401\)/,
      ],
      [
        'no token → 3',
        () => ({ FERRY_CLONE_URL: repo.cloneUrl, FERRY_SHA: first }),
        3,
        /needs a clone token/,
      ],
      [
        'no such repository → 4',
        () => ({ FERRY_CLONE_URL: `${git.url}/nope.git`, FERRY_SHA: first, FERRY_CLONE_TOKEN: token }),
        4,
        /no repository/,
      ],
      [
        'no such commit → 5',
        () => ({ FERRY_CLONE_URL: repo.cloneUrl, FERRY_SHA: 'f'.repeat(40), FERRY_CLONE_TOKEN: token }),
        5,
        /clone failed/,
      ],
      [
        'an ssh URL → 2',
        () => ({ FERRY_CLONE_URL: 'ssh://git@127.0.0.1/x.git', FERRY_SHA: first }),
        2,
        /http or https/,
      ],
      [
        'credentials in the URL → 2',
        () => ({ FERRY_CLONE_URL: repo.cloneUrl.replace('http://', 'http://u:p@'), FERRY_SHA: first }),
        2,
        /holds credentials/,
      ],
      [
        'an option for a URL → 2',
        () => ({ FERRY_CLONE_URL: '--upload-pack=touch /tmp/x', FERRY_SHA: first }),
        2,
        /looks like an option/,
      ],
    ])('%s', async (name, env, code, message) => {
      const out = await runner(['clone', '--dir', join(work, name.replace(/\W+/g, '-'))], env());
      expect(out.code).toBe(code);
      expect(out.stderr).toMatch(message);
      expect(out.stdout + out.stderr).not.toContain('wrong-token-x');
    });
  });

  describe('run', () => {
    it('echoes, stops at the first failure and propagates its code', async () => {
      const out = await runner([
        'run',
        '--dir',
        work,
        '--',
        'echo one',
        'echo two >&2',
        'exit 7',
        'echo never',
      ]);
      expect(out).toEqual({
        code: 7,
        stdout: '$ echo one\none\n$ echo two >&2\n$ exit 7\n',
        stderr: 'two\n',
      });
    });

    it('reads the commands from a file', async () => {
      const file = join(work, 'commands.json');
      await import('node:fs/promises').then((fs) => fs.writeFile(file, JSON.stringify(['echo "a b"'])));
      expect(await runner(['run', '--dir', work, '--commands-file', file])).toMatchObject({
        code: 0,
        stdout: '$ echo "a b"\na b\n',
      });
      await import('node:fs/promises').then((fs) => fs.writeFile(file, '{"not":"a list"}'));
      expect((await runner(['run', '--commands-file', file])).code).toBe(2);
    });

    it('forwards SIGTERM to the script and leaves no background process behind', async () => {
      const marker = `${300 + Math.floor(Math.random() * 1000)}.${randomBytes(2).readUInt16BE()}`;
      const child = spawn(
        process.execPath,
        [bin, 'run', '--', `sleep ${marker} &`, 'echo started', `sleep ${marker}`],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      while (!out.includes('started\n')) await new Promise((r) => setTimeout(r, 20));
      expect((await processesWith(marker)).length).toBe(2);
      const sentAt = Date.now();
      child.kill('SIGTERM');
      expect(await exited).toBe(143);
      expect(Date.now() - sentAt).toBeLessThan(2_000);
      await new Promise((r) => setTimeout(r, 100));
      expect(await processesWith(marker)).toEqual([]);
    });
  });
});

describe('the loopback git server', () => {
  it('serves branches and merge commits as GitLab would after a merge', async () => {
    const git = await startGitServer();
    try {
      const repo = await git.createRepo('team/svc', { 'a.txt': 'a\n' });
      await repo.createBranch('test');
      await repo.createBranch('feature');
      const featureSha = await repo.commit({ 'b.txt': 'b\n' }, 'add b', 'feature');
      const merged = await repo.merge({ from: 'feature', into: 'test' });
      expect(await repo.head('test')).toBe(merged);
      expect(merged).not.toBe(featureSha);
      const listed = await new Promise<string>((resolve, reject) =>
        execFile('git', ['ls-remote', repo.cloneUrl], (err, stdout) => (err ? reject(err) : resolve(stdout))),
      );
      expect(listed).toContain(`${merged}\trefs/heads/test`);
      expect(listed).toContain(`${featureSha}\trefs/heads/feature`);
      expect(git.requests.every((r) => r.auth === 'none')).toBe(true);
    } finally {
      await git.close();
    }
  });

  it('answers 401 to a wrong bearer token and serves the right one', async () => {
    const git = await startGitServer({ token: 'right-token' });
    try {
      const repo = await git.createRepo('r', { f: 'x' });
      const refs = `${repo.cloneUrl}/info/refs?service=git-upload-pack`;
      expect((await fetch(refs, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      expect((await fetch(refs)).status).toBe(401);
      const ok = await fetch(refs, { headers: { authorization: 'Bearer right-token' } });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('content-type')).toBe('application/x-git-upload-pack-advertisement');
      expect(git.requests.map((r) => r.auth)).toEqual(['refused', 'refused', 'accepted']);
    } finally {
      await git.close();
    }
  });
});
