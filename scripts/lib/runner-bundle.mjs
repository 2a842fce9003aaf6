// Bundles the staged `ferry-runner` of an image context (scripts/lib/image-context.mjs runner): Node
// otherwise resolves, reads and links every module of the runner, @ferry/shared and their
// dependencies one file at a time (~290 files for a deploy: zod alone is 95), which took 2.4–3.6 s of
// each deploy and build pod's start at load 19 on 2 cores. esbuild writes the same code (not minified,
// each module under a `// <path>` comment) as one ES module, `dist/cli.js`, with code splitting: every
// `import()` of the runner (build-command, deploy-command, the engine build) stays a chunk of its own,
// so `clone`, `run`, `cache` and `services` still load neither the Kubernetes client nor the build.
// The bin (bin/ferry-runner.js → ../dist/cli.js) is unchanged.
//
// Left as packages (EXTERNAL): those that read their own files by path at run time, which a bundle
// would move away from them: dockerode (its BuildKit session loads .proto files beside its modules)
// and pino (its transports start worker threads from files in its package). Packages the bundle now
// holds are removed from the context; the external ones and their dependencies stay.
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** Packages kept out of the bundle (see above), with their dependencies. */
export const EXTERNAL = ['dockerode', 'pino'];

/**
 * Bundles `<out>/node_modules/@ferry/runner/dist` in place and prunes `<out>/node_modules`.
 * Returns false (and leaves the context as it is) when esbuild is not installed.
 */
export async function bundleRunner(context) {
  const out = resolve(context);
  // esbuild is installed with vite (the dashboard's build); without it the runner stays as tsc built it.
  let build;
  try {
    ({ build } = await import('esbuild'));
  } catch {
    console.error('runner-bundle: esbuild not found: the runner is copied unbundled');
    return false;
  }
  const modules = join(out, 'node_modules');
  const runner = join(modules, '@ferry/runner');
  const dist = join(runner, 'dist');
  const bundled = join(runner, 'dist.bundle');
  const version = JSON.parse(readFileSync(join(modules, '@ferry/shared/package.json'), 'utf8')).version;
  await build({
    entryPoints: { cli: join(dist, 'cli.js') },
    outdir: bundled,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // The packages' own relative paths in the `// <path>` comments, whatever the context's directory.
    absWorkingDir: out,
    external: EXTERNAL,
    // The version @ferry/shared otherwise reads from its package.json two directories up
    // (packages/shared/src/build-info/version.ts), which no longer holds beside a bundle.
    define: { __FERRY_BUNDLED_VERSION__: JSON.stringify(version) },
    // CommonJS dependencies call require() for Node's modules and the external packages: an ES
    // module has none, so each file gets one of its own location.
    banner: {
      js: "import { createRequire as __ferryCreateRequire } from 'node:module';\nconst require = __ferryCreateRequire(import.meta.url);",
    },
    logLevel: 'error',
  });
  rmSync(dist, { recursive: true, force: true });
  renameSync(bundled, dist);
  prune(out);
  return true;
}

/** Removes every package of the context but the runner, the external packages and their dependencies. */
function prune(out) {
  const modules = join(out, 'node_modules');
  const keep = new Set([join(modules, '@ferry/runner')]);
  const queue = EXTERNAL.map((name) => join(modules, name));
  while (queue.length > 0) {
    const dir = queue.pop();
    keep.add(dir);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    for (const name of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
      const found = resolveFrom(out, dir, name);
      if (found !== undefined && !keep.has(found)) queue.push(found);
    }
  }
  for (const entry of readdirSync(modules)) {
    const scoped = entry.startsWith('@');
    for (const name of scoped ? readdirSync(join(modules, entry)).map((n) => join(entry, n)) : [entry]) {
      if (!keep.has(join(modules, name))) rmSync(join(modules, name), { recursive: true, force: true });
    }
    if (scoped && readdirSync(join(modules, entry)).length === 0)
      rmSync(join(modules, entry), { recursive: true });
  }
}

/** Node's lookup of package `name` from a package directory: each enclosing node_modules, up to `out`. */
function resolveFrom(out, dir, name) {
  for (let at = dir; at.startsWith(out); at = dirname(at)) {
    if (basename(at) === 'node_modules') continue;
    const candidate = join(at, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (at === out) break;
  }
  return undefined;
}
