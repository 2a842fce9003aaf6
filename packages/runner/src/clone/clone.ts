import { spawn } from 'node:child_process';
import { access, appendFile, mkdir, readFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import type { Writable } from 'node:stream';
import { CloneExit } from './clone-exit.js';
import type { CloneTarget } from './clone-target.js';
import { authorizationHeader, gitEnvironment } from './git-auth.js';
import { MaskStream } from './mask-stream.js';
import { originConfig } from './origin-config.js';
import { probeRepository } from './probe.js';

export interface CloneOptions {
  target: CloneTarget;
  /** The workspace: created if missing, the commit checked out in it. */
  dir: string;
  token?: string;
  user?: string;
  /** The environment git inherits (tracing and redirection variables are removed). */
  env: Readonly<Record<string, string | undefined>>;
  stdout: Writable;
  stderr: Writable;
  signal: AbortSignal;
}

const MISSING_COMMIT =
  /not our ref|couldn't find remote ref|no such remote ref|unadvertised object|upload-pack: not our/i;
const AUTH = /authentication failed|could not read username|HTTP (401|403)|returned error: 40[13]/i;

/**
 * Fetches exactly `target.sha` (depth 1) into `dir` and checks it out detached, with git itself:
 * `git init`, the `origin` remote (written as `git remote add` would), `git fetch --depth 1` of the sha (protocol v2; no
 * maintenance, commit graph or fsync: see `gitEnvironment`), checkout, then a check that HEAD is the
 * sha. Says what it does on stdout without the token; git's own output goes to stderr with the
 * token masked. Returns the exit code.
 */
export async function clone(options: CloneOptions): Promise<number> {
  const { target, dir, stdout, signal } = options;
  const header =
    options.token === undefined ? undefined : authorizationHeader(options.token, options.user ?? 'oauth2');
  const secrets = [options.token, header, header?.slice('Basic '.length)].filter(
    (v): v is string => v !== undefined,
  );
  const say = (line: string) => stdout.write(`ferry-runner: ${line}\n`);
  const ref = target.ref === undefined ? '' : ` (${target.ref})`;
  say(
    `cloning ${target.url.href} at ${target.sha}${ref}${header === undefined ? '' : ' with the clone token'}`,
  );

  const env = gitEnvironment(
    options.env,
    header === undefined ? undefined : { origin: target.url.origin, header },
    resolvePath(dir),
  );
  const git = (args: string[]) =>
    runGit(args, { cwd: dir, env, secrets, stdout, stderr: options.stderr, signal });

  await mkdir(dir, { recursive: true });
  // git init would re-initialise an existing repository; a workspace must start empty of git.
  if (
    await access(join(dir, '.git')).then(
      () => true,
      () => false,
    )
  ) {
    options.stderr.write(`ferry-runner: clone failed: ${dir} already holds a git repository\n`);
    return CloneExit.failed;
  }
  const steps: Array<[string, string[] | (() => Promise<void>)]> = [
    // No template: no sample hooks or description to copy for a workspace that lives one stage.
    ['git init', ['init', '-q', '--template=', '.']],
    // What `git remote add origin <url>` writes, without starting git for it.
    [
      `remote origin ${target.url.href}`,
      () => appendFile(join(dir, '.git', 'config'), originConfig(target.url)),
    ],
    [
      `git fetch --depth 1 --no-tags origin ${target.sha}`,
      ['fetch', '-q', '--depth', '1', '--no-tags', 'origin', target.sha],
    ],
    [`git checkout --detach ${target.sha}`, ['checkout', '-q', '--detach', target.sha]],
  ];
  for (const [label, args] of steps) {
    say(label);
    if (typeof args === 'function') {
      await args();
      continue;
    }
    const result = await git(args);
    if (result.code !== 0) {
      // Only now ask the server what is wrong (token refused, no such repository): a clear reason
      // costs a request on the failure path, not on every clone.
      const probe = await probeRepository(target.url, header, signal).catch(() => ({
        exit: undefined,
        message: '',
      }));
      if (probe.exit !== undefined) {
        options.stderr.write(`ferry-runner: clone failed: ${probe.message}\n`);
        return probe.exit;
      }
      const exit = MISSING_COMMIT.test(result.stderr)
        ? CloneExit.commitNotFound
        : AUTH.test(result.stderr)
          ? CloneExit.authRefused
          : CloneExit.failed;
      options.stderr.write(`ferry-runner: clone failed: ${label} exited with ${result.code}\n`);
      return exit;
    }
  }
  // A detached checkout writes the sha into .git/HEAD: read it instead of running git again.
  const head = (await readFile(join(dir, '.git', 'HEAD'), 'utf8').catch(() => '')).trim();
  if (head !== target.sha) {
    options.stderr.write(`ferry-runner: clone failed: HEAD is ${head || 'unknown'}, not ${target.sha}\n`);
    return CloneExit.failed;
  }
  say(`checked out ${target.sha}`);
  return CloneExit.ok;
}

interface GitResult {
  code: number;
  /** The tail of git's stderr, masked, to classify a failure. */
  stderr: string;
}

function runGit(
  args: string[],
  o: {
    cwd: string;
    env: Record<string, string>;
    secrets: readonly string[];
    stdout: Writable;
    stderr: Writable;
    signal: AbortSignal;
  },
): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: o.cwd,
      env: o.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: o.signal,
    });
    let tail = '';
    const errMask = new MaskStream(o.secrets);
    child.stderr.pipe(errMask);
    errMask.on('data', (chunk: string) => {
      tail = (tail + chunk).slice(-8192);
      o.stderr.write(chunk);
    });
    const outMask = new MaskStream(o.secrets);
    child.stdout.pipe(outMask);
    outMask.on('data', (chunk: string) => o.stdout.write(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      resolve({ code: code ?? 128 + (signal === null ? 0 : constants.signals[signal]), stderr: tail });
    });
  });
}
