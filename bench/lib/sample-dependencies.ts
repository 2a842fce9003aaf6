// The sample service's dependencies for the benches: ~30 npm packages packed from this checkout's
// node_modules into vendor/*.tgz with a package-lock.json, so `npm ci --offline` installs them
// without a network; and the image with npm they install in.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { testImages } from '../../test/support/services.js';

const exec = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;

/** The packages the service depends on (their dependency closure is vendored too). */
const ROOTS = [
  'pino',
  'yaml',
  'commander',
  'zod',
  'semver',
  'debug',
  'mime-types',
  'ws',
  'picocolors',
  'dequal',
];

async function closure(names: string[]): Promise<string[]> {
  const seen = new Set<string>();
  const queue = [...names];
  while (queue.length > 0) {
    const name = queue.pop() as string;
    if (seen.has(name)) continue;
    const text = await readFile(join(root, 'node_modules', name, 'package.json'), 'utf8').catch(
      () => undefined,
    );
    if (text === undefined) continue;
    seen.add(name);
    queue.push(
      ...Object.keys((JSON.parse(text) as { dependencies?: Record<string, string> }).dependencies ?? {}),
    );
  }
  return [...seen].sort();
}

/** package.json, package-lock.json and vendor/*.tgz: an offline-installable dependency set. */
export async function vendoredDependencies(): Promise<{
  files: Record<string, string | Uint8Array>;
  count: number;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-bench-vendor-'));
  try {
    const names = await closure(ROOTS);
    await exec('mkdir', ['-p', join(dir, 'vendor')]);
    for (const name of names)
      await exec('npm', ['pack', '--ignore-scripts', '--silent', join(root, 'node_modules', name)], {
        cwd: join(dir, 'vendor'),
      });
    const deps: Record<string, string> = {};
    const files: Record<string, string | Uint8Array> = {};
    for (const tgz of await readdir(join(dir, 'vendor'))) {
      const { stdout } = await exec('tar', ['-xzOf', join(dir, 'vendor', tgz), 'package/package.json']);
      deps[(JSON.parse(stdout) as { name: string }).name] = `file:vendor/${tgz}`;
      files[`vendor/${tgz}`] = await readFile(join(dir, 'vendor', tgz));
    }
    const pkg = {
      name: 'bench-service',
      version: '1.0.0',
      private: true,
      scripts: { test: 'node test.js' },
      dependencies: deps,
    };
    files['package.json'] = `${JSON.stringify(pkg, null, 2)}\n`;
    await writeFile(join(dir, 'package.json'), files['package.json'] as string);
    await exec(
      'npm',
      ['install', '--offline', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'],
      {
        cwd: dir,
      },
    );
    files['package-lock.json'] = await readFile(join(dir, 'package-lock.json'), 'utf8');
    return { files, count: names.length };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The test node image plus this machine's npm (the test image has node only): the service's base. */
export const NPM_BASE = 'ferry-test/node-npm:20';

export async function npmBase(): Promise<void> {
  if (
    await exec('docker', ['image', 'inspect', NPM_BASE]).then(
      () => true,
      () => false,
    )
  )
    return;
  const dir = await mkdtemp(join(tmpdir(), 'ferry-bench-npm-'));
  try {
    const { stdout } = await exec('npm', ['root', '-g']);
    await exec('cp', ['-a', join(stdout.trim(), 'npm'), join(dir, 'npm')]);
    await writeFile(
      join(dir, 'Dockerfile'),
      `FROM ${testImages.node}\nCOPY npm /usr/local/lib/node_modules/npm\nRUN ln -s /usr/local/lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm && npm --version\n`,
    );
    await exec('docker', ['build', '-q', '--network', 'host', '-t', NPM_BASE, dir]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
