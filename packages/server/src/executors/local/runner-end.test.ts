import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exitRecorder, startLine } from './runner-end.js';

/** Runs `exitRecorder` around a script that marks it ran; `go` decides what its stdin gets. */
function run(dir: string, go: string | undefined): Promise<number | null> {
  const [bin, ...args] = exitRecorder(join(dir, 'exit'), dir, ['/bin/sh', '-c', 'echo ran > mark; exit 3']);
  const child = spawn(bin as string, args, { stdio: ['pipe', 'ignore', 'ignore'] });
  child.stdin.end(go);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('exitRecorder: the script waits at its gate until Ferry has recorded the group', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const temp = () => {
    const d = mkdtempSync(join(tmpdir(), 'ferry-gate-'));
    dirs.push(d);
    return d;
  };

  it('runs the script after the start line and records its exit code', async () => {
    const dir = temp();
    expect(await run(dir, startLine)).toBe(3);
    expect(readFileSync(join(dir, 'mark'), 'utf8')).toBe('ran\n');
    expect(readFileSync(join(dir, 'exit'), 'utf8')).toBe('3\n');
  });

  it('never runs the script when stdin ends first (its Ferry died before recording it)', async () => {
    const dir = temp();
    expect(await run(dir, undefined)).toBe(125);
    expect(existsSync(join(dir, 'mark'))).toBe(false);
    // No exit code: a later Ferry finds the runner unfinished, never adopts a run that did not happen.
    expect(existsSync(join(dir, 'exit'))).toBe(false);
  });
});
