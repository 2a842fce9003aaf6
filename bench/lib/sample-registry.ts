// The sample service of bench:test-cache, sized as a real one: a web service on Redis and
// PostgreSQL with its dev tools (the dependency set of Ferry's own server: fastify, bullmq, ioredis,
// pg, pino, @kubernetes/client-node, ... and typescript, vitest, tsx), ~300 packages, ~200 MB of
// node_modules. No internet here, so the packages come from this checkout's node_modules (every
// version the tree holds, nested ones too), packed as npm tarballs and served by a read-only npm
// registry (npm-registry-server.ts) that runs as a service beside the job at 127.0.0.1:4873, the
// address the lockfile's `resolved` URLs name. The job's `npm ci` then downloads, checks (sha512
// integrity) and extracts every package, as a real service's install does from its registry.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { testImages } from '../../test/support/services.js';
import { startNpmRegistry } from './npm-registry-server.js';

const exec = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

/** Where the registry listens beside the job (its service's port) and what the lockfile names. */
export const REGISTRY_PORT = 4873;
const REGISTRY_URL = `http://127.0.0.1:${REGISTRY_PORT}`;

/** The service's direct dependencies (Ferry's server's own, minus native and workspace ones). */
const RUNTIME = [
  'fastify',
  '@fastify/static',
  '@fastify/swagger',
  'bullmq',
  'ioredis',
  'pg',
  'pino',
  'prom-client',
  'yaml',
  'kysely',
  'commander',
  'dockerode',
  '@kubernetes/client-node',
  '@gitbeaker/rest',
];
const DEV = ['typescript', 'vitest', 'tsx', '@types/node'];

interface Installed {
  name: string;
  version: string;
  dir: string;
  manifest: Record<string, unknown> & { dependencies?: Record<string, string> };
}

/** Where node would find `name` from `dir` (the nearest node_modules up the tree), or undefined. */
function resolveFrom(dir: string, name: string): string | undefined {
  let at = dir;
  for (;;) {
    const candidate = join(at, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json')) && !lstatSync(candidate).isSymbolicLink())
      return candidate;
    const up = at.lastIndexOf('/node_modules/');
    if (at === root || up < root.length) return undefined;
    at = at.slice(0, up);
  }
}

/** Every installed package the roots need (dependencies, optional and peer ones that are here). */
function closure(roots: readonly string[]): Installed[] {
  const found = new Map<string, Installed>();
  const queue = roots.map((r) => resolveFrom(root, r));
  while (queue.length > 0) {
    const dir = queue.pop();
    if (dir === undefined || found.has(dir)) continue;
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Installed['manifest'];
    found.set(dir, { name: manifest.name as string, version: manifest.version as string, dir, manifest });
    const wanted = ['dependencies', 'optionalDependencies', 'peerDependencies'].flatMap((field) =>
      Object.keys((manifest[field] as Record<string, string> | undefined) ?? {}),
    );
    for (const name of wanted) queue.push(resolveFrom(dir, name));
  }
  const unique = new Map([...found.values()].map((p) => [`${p.name}@${p.version}`, p] as const));
  return [...unique.values()].sort((a, b) =>
    `${a.name}@${a.version}`.localeCompare(`${b.name}@${b.version}`),
  );
}

function tarballName(p: Installed): string {
  return `${p.name.replace('/', '__')}-${p.version}.tgz`;
}

/** Packs an installed package as npm does (`package/` prefix), without its nested node_modules. */
async function pack(p: Installed, file: string): Promise<void> {
  await exec('tar', [
    '-czf',
    file,
    '--anchored',
    '--exclude=./node_modules',
    '--sort=name',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '--mtime=@499162500',
    '--transform=s,^\\.,package,',
    '-C',
    p.dir,
    '.',
  ]);
}

/** Runs `work` over `items`, `limit` at a time. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

/** The packument (npm's per-name document) of every version of each name, tarballs in `dir`. */
async function writeRegistry(dir: string, packages: readonly Installed[]): Promise<number> {
  await mkdir(join(dir, 'tarballs'), { recursive: true });
  await pool(packages, 4, (p) => pack(p, join(dir, 'tarballs', tarballName(p))));
  const served = new Set(packages.map((p) => p.name));
  const onlyServed = (deps: unknown) =>
    deps === undefined
      ? undefined
      : Object.fromEntries(Object.entries(deps as Record<string, string>).filter(([n]) => served.has(n)));
  const packuments = new Map<string, { name: string; 'dist-tags': { latest: string }; versions: object }>();
  let bytes = 0;
  for (const p of packages) {
    const data = await readFile(join(dir, 'tarballs', tarballName(p)));
    bytes += data.length;
    const m = p.manifest;
    const version = {
      name: p.name,
      version: p.version,
      ...pick(m, ['dependencies', 'peerDependenciesMeta', 'bin', 'engines', 'os', 'cpu', 'license']),
      // What the registry does not hold is not offered: other platforms' binaries, optional peers.
      ...(m.optionalDependencies === undefined
        ? {}
        : { optionalDependencies: onlyServed(m.optionalDependencies) }),
      ...(m.peerDependencies === undefined ? {} : { peerDependencies: onlyServed(m.peerDependencies) }),
      dist: {
        tarball: `${REGISTRY_URL}/-/t/${tarballName(p)}`,
        integrity: `sha512-${createHash('sha512').update(data).digest('base64')}`,
        shasum: createHash('sha1').update(data).digest('hex'),
      },
    };
    const doc = packuments.get(p.name) ?? { name: p.name, 'dist-tags': { latest: p.version }, versions: {} };
    (doc.versions as Record<string, unknown>)[p.version] = version;
    packuments.set(p.name, doc);
  }
  for (const [name, doc] of packuments) {
    const file = join(dir, 'packuments', `${name}.json`);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(doc));
  }
  return bytes;
}

function pick(from: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.flatMap((k) => (from[k] === undefined ? [] : [[k, from[k]]])));
}

/** The service's package.json: its direct dependencies at the versions this checkout holds. */
function servicePackageJson(): string {
  const range = (name: string) => {
    const dir = resolveFrom(root, name) as string;
    return `^${(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version}`;
  };
  const pkg = {
    name: 'bench-service',
    version: '1.0.0',
    private: true,
    type: 'module',
    scripts: { test: 'node test.js' },
    dependencies: Object.fromEntries(RUNTIME.map((n) => [n, range(n)])),
    devDependencies: Object.fromEntries(DEV.map((n) => [n, range(n)])),
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/**
 * The service's test: every package of the lockfile is installed at its locked version, the runtime
 * dependencies load, and the Redis service answers PING.
 */
const TEST_JS = `import { readFileSync } from 'node:fs';
import net from 'node:net';

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
let count = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  if (path === '') continue;
  const version = JSON.parse(readFileSync(path + '/package.json', 'utf8')).version;
  if (version !== entry.version) throw new Error(path + ' is ' + version + ', locked ' + entry.version);
  count++;
}
const runtime = Object.keys(JSON.parse(readFileSync('package.json', 'utf8')).dependencies);
for (const name of runtime) await import(name);
console.log(count + ' packages installed as locked; ' + runtime.length + ' runtime dependencies load');
const reply = await new Promise((resolve, reject) => {
  const s = net.connect(6379, '127.0.0.1', () => s.write('PING\\r\\n'));
  s.on('data', (d) => { resolve(String(d).trim()); s.end(); });
  s.on('error', reject);
});
if (reply !== '+PONG') throw new Error('redis said ' + reply);
console.log('redis says', reply);
`;

export interface SampleService {
  /** The repository's files: package.json, package-lock.json, test.js. */
  files: Record<string, string>;
  /** The registry's service image (serves on REGISTRY_PORT). */
  registryImage: string;
  packages: number;
  /** The tarballs' total size. */
  tarballBytes: number;
}

/**
 * Builds (or reuses, by content) the registry's files and its service image, and makes the
 * service's lockfile against it. The image is rebuilt only when the package set or the server changes.
 */
export async function sampleService(): Promise<SampleService> {
  const packages = closure([...RUNTIME, ...DEV]);
  const server = ts.transpileModule(
    await readFile(new URL('./npm-registry-server.ts', import.meta.url), 'utf8'),
    {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    },
  ).outputText;
  const hash = createHash('sha256')
    .update(JSON.stringify({ v: 1, packages: packages.map((p) => `${p.name}@${p.version}`), server }))
    .digest('hex')
    .slice(0, 16);
  const dir = join(tmpdir(), `ferry-bench-registry-${hash}`);
  if (!existsSync(join(dir, 'complete'))) {
    const building = await mkdtemp(join(tmpdir(), 'ferry-bench-registry-building-'));
    try {
      const bytes = await writeRegistry(join(building, 'registry'), packages);
      await writeFile(join(building, 'server.mjs'), server);
      await writeFile(
        join(building, 'Dockerfile'),
        [
          `FROM ${testImages.node}`,
          'COPY registry /srv/registry',
          'COPY server.mjs /srv/server.mjs',
          'ENTRYPOINT ["node", "/srv/server.mjs"]',
          `CMD ["${REGISTRY_PORT}", "/srv/registry"]`,
          '',
        ].join('\n'),
      );
      await writeFile(join(building, 'complete'), String(bytes));
      await rm(dir, { recursive: true, force: true });
      await rename(building, dir);
    } catch (err) {
      await rm(building, { recursive: true, force: true });
      throw err;
    }
  }
  const registryImage = `ferry-bench/npm-registry:${hash}`;
  const present = await exec('docker', ['image', 'inspect', registryImage]).then(
    () => true,
    () => false,
  );
  if (!present) await exec('docker', ['build', '-q', '--network', 'host', '-t', registryImage, dir]);
  const files = {
    'package.json': servicePackageJson(),
    'package-lock.json': await lockfile(dir, servicePackageJson()),
    'test.js': TEST_JS,
  };
  const tarballBytes = Number(await readFile(join(dir, 'complete'), 'utf8'));
  return { files, registryImage, packages: packages.length, tarballBytes };
}

/** `npm install --package-lock-only` against the registry served on the host for the purpose. */
async function lockfile(registryDir: string, packageJson: string): Promise<string> {
  const work = await mkdtemp(join(tmpdir(), 'ferry-bench-lock-'));
  const server = await startNpmRegistry(join(registryDir, 'registry'), 0);
  try {
    const port = (server.address() as { port: number }).port;
    await writeFile(join(work, 'package.json'), packageJson);
    await exec(
      'npm',
      [
        'install',
        '--package-lock-only',
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
        `--registry=http://127.0.0.1:${port}/`,
        `--cache=${join(work, '.npm')}`,
      ],
      { cwd: work },
    );
    return await readFile(join(work, 'package-lock.json'), 'utf8');
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await rm(work, { recursive: true, force: true });
  }
}
