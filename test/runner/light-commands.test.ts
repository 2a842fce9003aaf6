import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StagedRunner, stageRunnerImageContext } from '../executors/runner-build.js';

const exec = promisify(execFile);
const distBin = fileURLToPath(new URL('../../packages/runner/bin/ferry-runner.js', import.meta.url));

// Node's module customization hooks (node:module register, Node >= 20.6): the load hook names every
// module the program loads on stderr (the hooks run in a thread of their own; fd 2 is shared).
const hooks = `import { writeSync } from 'node:fs';
export async function load(url, context, next) {
  writeSync(2, 'loaded ' + url + '\\n');
  return next(url, context);
}
`;

/** Modules a clone or a script run never needs; each took tens of ms to load in a runner container. */
const heavy = [
  /\/node_modules\/zod\//,
  /\/node_modules\/yaml\//,
  /\/node_modules\/@kubernetes\//,
  /\/node_modules\/dockerode\//,
  /\/packages\/shared\/dist\/index\.js$/,
  /\/@ferry\/shared\/dist\/index\.js$/,
];

/**
 * The modules a loaded file holds: itself, or in a file of the runner image's bundle every module
 * esbuild wrote into it, each under a `// <path>` comment (scripts/lib/runner-bundle.mjs).
 */
async function modulesOf(url: string, bundleDir: string | undefined): Promise<string[]> {
  if (bundleDir === undefined || !url.startsWith(pathToFileURL(bundleDir).href)) return [url];
  const text = await readFile(fileURLToPath(url), 'utf8');
  return [url, ...[...text.matchAll(/^\/\/ (node_modules\/\S+)$/gm)].map((m) => `/${m[1]}`)];
}

describe.each([
  ['tsc output', false],
  ['runner image bundle', true],
] as const)('ferry-runner (%s): the commands on every stage path load no heavy module', (_form, bundled) => {
  let dir: string;
  let register: string;
  let staged: StagedRunner | undefined;
  let bin = distBin;
  beforeAll(async () => {
    if (bundled) {
      staged = await stageRunnerImageContext();
      bin = staged.bin;
    }
    dir = await mkdtemp(join(tmpdir(), 'ferry-runner-light-'));
    await writeFile(join(dir, 'hooks.mjs'), hooks);
    register = join(dir, 'register.mjs');
    await writeFile(
      register,
      `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`,
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await staged?.remove();
  });

  /** Every module loaded (in the bundle: held by a file that was loaded). */
  async function loaded(args: string[]): Promise<string[]> {
    const { stderr } = await exec(process.execPath, ['--import', pathToFileURL(register).href, bin, ...args]);
    const urls = stderr
      .split('\n')
      .filter((l) => l.startsWith('loaded '))
      .map((l) => l.slice('loaded '.length));
    return (await Promise.all(urls.map((u) => modulesOf(u, staged?.dir)))).flat();
  }

  it.each([['clone'], ['run'], ['cache'], ['services']])('%s', async (command) => {
    const urls = await loaded([command, '--help']);
    // The probe works: the runner's own entry was seen.
    expect(urls.some((u) => /\/(packages|node_modules\/@ferry)\/runner\/dist\/cli\.js$/.test(u))).toBe(true);
    expect(urls.filter((u) => heavy.some((h) => h.test(u)))).toEqual([]);
  });

  it('build and deploy do load theirs (the probe sees a heavy module when one is loaded)', async () => {
    expect((await loaded(['build', '--help'])).some((u) => /\/node_modules\/zod\//.test(u))).toBe(true);
    expect((await loaded(['deploy', '--help'])).some((u) => /\/node_modules\/@kubernetes\//.test(u))).toBe(
      true,
    );
  });
});
