import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StagedRunner, stageRunnerImageContext } from '../executors/runner-build.js';

const distBin = fileURLToPath(new URL('../../packages/runner/bin/ferry-runner.js', import.meta.url));

/** The packages scripts/lib/runner-bundle.mjs leaves out of the bundle (its EXTERNAL). */
const external = ['dockerode', 'pino'];

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(bin: string, args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir(), ...env } },
      (err, stdout, stderr) =>
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : null, stdout, stderr }),
    );
  });
}

describe("the runner image's bundled ferry-runner (scripts/lib/runner-bundle.mjs)", () => {
  let staged: StagedRunner;
  beforeAll(async () => {
    staged = await stageRunnerImageContext();
  });
  afterAll(async () => {
    await staged?.remove();
  });

  it('is one entry with a chunk per lazily loaded subcommand, not the modules tsc wrote', async () => {
    const dist = join(staged.dir, 'node_modules/@ferry/runner/dist');
    expect((await readdir(dist)).sort()).toEqual(['chunks', 'cli.js']);
    const chunks = await readdir(join(dist, 'chunks'));
    for (const name of ['build-command', 'deploy-command'])
      expect(chunks.filter((c) => c.startsWith(`${name}-`))).toHaveLength(1);
  });

  it.each([
    [['--version']],
    [['--help']],
    [['clone', '--help']],
    [['run', '--help']],
    [['cache', '--help']],
    [['services', '--help']],
    [['build', '--help']],
    [['deploy', '--help']],
    // Refusals that go through @ferry/shared's errors and each subcommand's job reader.
    [['build']],
    [['deploy']],
    [['clone']],
    [['services']],
    [['run', '--', 'echo out', 'echo err >&2', 'exit 3']],
    [['nosuch']],
  ])('answers %j exactly as the tsc output does', async (args) => {
    const [bundled, dist] = await Promise.all([run(staged.bin, args), run(distBin, args)]);
    expect(bundled).toEqual(dist);
  });

  it('keeps the packages it leaves out, with what they need, and drops those it holds', async () => {
    const modules = join(staged.dir, 'node_modules');
    for (const name of external) {
      // Loaded from the bundle's place, as its require() does: each of their dependencies must be there.
      const probe = await new Promise<Outcome>((resolve) => {
        execFile(
          process.execPath,
          [
            '--input-type=module',
            '-e',
            `import { createRequire } from 'node:module'; const m = createRequire(${JSON.stringify(
              join(modules, '@ferry/runner/dist/cli.js'),
            )})(${JSON.stringify(name)}); console.log(typeof m);`,
          ],
          (err, stdout, stderr) => resolve({ code: err === null ? 0 : 1, stdout, stderr }),
        );
      });
      expect(probe, name).toMatchObject({ code: 0, stdout: 'function\n' });
    }
    for (const name of ['zod', 'yaml', 'commander', '@kubernetes/client-node', '@ferry/shared'])
      expect(existsSync(join(modules, name)), name).toBe(false);
  });
});
