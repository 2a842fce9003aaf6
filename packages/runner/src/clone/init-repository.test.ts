import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { INITIAL_BRANCH, initRepository } from './init-repository.js';

const exec = promisify(execFile);
const git = async (cwd: string, ...args: string[]) =>
  (
    await exec('git', args, { cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd } })
  ).stdout.trim();

describe('initRepository', () => {
  it('writes a repository git itself accepts, with origin set', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-init-'));
    expect(await initRepository(dir, 'https://gitlab.example/shop/app.git')).toBe(true);
    expect(await git(dir, 'rev-parse', '--is-inside-work-tree')).toBe('true');
    expect(await git(dir, 'config', '--get', 'remote.origin.url')).toBe(
      'https://gitlab.example/shop/app.git',
    );
    expect(await git(dir, 'config', '--get', 'remote.origin.fetch')).toBe(
      '+refs/heads/*:refs/remotes/origin/*',
    );
    expect(await git(dir, 'symbolic-ref', 'HEAD')).toBe(`refs/heads/${INITIAL_BRANCH}`);
    // git's own consistency check on the empty repository
    await git(dir, 'fsck', '--no-progress');
  });

  it('leaves an existing repository alone and says so', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-init-'));
    await git(dir, 'init', '-q', '.');
    const before = await readFile(join(dir, '.git', 'config'), 'utf8');
    expect(await initRepository(dir, 'https://gitlab.example/x.git')).toBe(false);
    expect(await readFile(join(dir, '.git', 'config'), 'utf8')).toBe(before);
  });
});
