import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { originConfig } from './origin-config.js';

const git = (dir: string, ...args: string[]) =>
  execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' },
  }).trim();

describe('originConfig: what `git remote add origin` would write', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const repo = () => {
    const d = mkdtempSync(join(tmpdir(), 'ferry-origin-'));
    dirs.push(d);
    git(d, 'init', '-q', '--template=', '.');
    return d;
  };

  it.each([
    'http://127.0.0.1:8080/group/app.git',
    'https://gitlab.example.com/a%20b/c;d.git',
    'https://gitlab.example.com/x/y.git?q="quoted"&b=\\',
  ])('git reads back %s as the URL and the default fetch refspec', (raw) => {
    const dir = repo();
    const url = new URL(raw);
    appendFileSync(join(dir, '.git', 'config'), originConfig(url));
    expect(git(dir, 'remote', 'get-url', 'origin')).toBe(url.href);
    expect(git(dir, 'config', '--get', 'remote.origin.fetch')).toBe('+refs/heads/*:refs/remotes/origin/*');
  });

  it('is what git remote add writes, as git reads it', () => {
    const ours = repo();
    const theirs = repo();
    const url = 'https://gitlab.example.com/group/app.git';
    appendFileSync(join(ours, '.git', 'config'), originConfig(new URL(url)));
    git(theirs, 'remote', 'add', 'origin', url);
    const list = (d: string) => git(d, 'config', '--local', '--get-regexp', '^remote\\.');
    expect(list(ours)).toBe(list(theirs));
  });
});
