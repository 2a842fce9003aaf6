import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { relativePathProblem, resolveInWorkspace } from './workspace-path.js';

describe('relativePathProblem', () => {
  it.each([
    ['.', undefined],
    ['Dockerfile', undefined],
    ['docker/web.Dockerfile', undefined],
    ['a/../b', undefined],
    ['./a/./b/', undefined],
    ['..', 'it leaves the repository with ..'],
    ['../x', 'it leaves the repository with ..'],
    ['a/../../x', 'it leaves the repository with ..'],
    ['a\\..\\..\\x', 'it leaves the repository with ..'],
    ['/etc/passwd', 'it is an absolute path'],
    ['C:\\x', 'it is an absolute path'],
    ['~/x', 'it is an absolute path'],
    ['a\u0000b', 'it contains a NUL character'],
  ])('%j → %s', (path, expected) => {
    expect(relativePathProblem(path)).toBe(expected);
  });
});

describe('resolveInWorkspace', () => {
  const root = mkdtempSync(join(tmpdir(), 'ferry-ws-'));
  const ws = join(root, 'ws');
  mkdirSync(join(ws, 'app'), { recursive: true });
  writeFileSync(join(ws, 'Dockerfile'), 'FROM scratch\n');
  writeFileSync(join(root, 'outside'), 'secret\n');
  symlinkSync(join(root, 'outside'), join(ws, 'escape'));
  symlinkSync(root, join(ws, 'up'));
  symlinkSync('app', join(ws, 'inner'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const code = async (p: Promise<unknown>) =>
    p.then(
      () => 'ok',
      (e: { code?: string; message: string }) => e.message,
    );

  it.each([
    ['.', 'directory', 'ok'],
    ['Dockerfile', 'file', 'ok'],
    ['inner', 'directory', 'ok'],
    ['escape', 'file', 'a symbolic link leads out of the repository'],
    ['up/outside', 'file', 'a symbolic link leads out of the repository'],
    ['missing', 'file', 'it does not exist'],
    ['app', 'file', 'it is not a file'],
    ['../outside', 'file', 'it leaves the repository with ..'],
  ] as const)('%s (%s) → %s', async (path, kind, expected) => {
    const result = await code(resolveInWorkspace(ws, path, kind === 'file' ? 'dockerfile' : 'context', kind));
    expect(result === 'ok' ? 'ok' : result).toContain(expected);
  });
});
