import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const bin = fileURLToPath(new URL('../../packages/runner/bin/ferry-runner.js', import.meta.url));

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
];

describe('ferry-runner: the commands on every stage path load no heavy module', () => {
  let dir: string;
  let register: string;
  beforeAll(async () => {
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
  });

  async function loaded(args: string[]): Promise<string[]> {
    const { stderr } = await exec(process.execPath, ['--import', pathToFileURL(register).href, bin, ...args]);
    return stderr
      .split('\n')
      .filter((l) => l.startsWith('loaded '))
      .map((l) => l.slice('loaded '.length));
  }

  it.each([['clone'], ['run'], ['cache'], ['services']])('%s', async (command) => {
    const urls = await loaded([command, '--help']);
    // The probe works: the runner's own entry was seen.
    expect(urls.some((u) => u.endsWith('/packages/runner/dist/cli.js'))).toBe(true);
    expect(urls.filter((u) => heavy.some((h) => h.test(u)))).toEqual([]);
  });

  it('build and deploy do load theirs (the probe sees a heavy module when one is loaded)', async () => {
    const urls = await loaded(['build', '--help']);
    expect(urls.some((u) => heavy.some((h) => h.test(u)))).toBe(true);
  });
});
