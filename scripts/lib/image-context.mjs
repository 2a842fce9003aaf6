// Stages an image's build context: the built workspace packages the image runs (package.json, bin,
// dist) and the production dependencies they need, copied from this checkout's node_modules, so the
// image builds without any network.
//   node scripts/lib/image-context.mjs runner OUT_DIR   @ferry/runner, @ferry/shared → OUT_DIR/node_modules/...,
//                                                       then bundled (runner-bundle.mjs)
//   node scripts/lib/image-context.mjs server OUT_DIR   @ferry/server (with the runner code it imports,
//                                                       and @ferry/web's dashboard build) → the same,
//                                                       and OUT_DIR/pipelines/default.yml,
//                                                       OUT_DIR/deploy/seccomp/ferry-build.json
import { cpSync, existsSync, mkdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleRunner } from './runner-bundle.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const [image, out] = process.argv.slice(2);
const images = {
  runner: ['runner', 'shared'],
  // The server imports @ferry/runner's script and build helpers, and serves @ferry/web's dist/.
  server: ['server', 'shared', 'runner', 'web'],
};
if (!out || !images[image]) {
  console.error('usage: node scripts/lib/image-context.mjs runner|server OUT_DIR');
  process.exit(2);
}
const workspaces = Object.fromEntries(
  images[image].map((name) => [`@ferry/${name}`, join(root, 'packages', name)]),
);
const rootModules = join(root, 'node_modules');

const packagesDir = join(root, 'packages');

/** A workspace package a dependency resolves to (another one than those named, e.g. @ferry/doubles). */
function isWorkspaceDir(dir) {
  return dirname(dir) === packagesDir;
}

/** Where a package directory goes in the context. */
function destination(dir, name) {
  if (isWorkspaceDir(dir)) return join(out, 'node_modules', name);
  const rel = relative(rootModules, dir);
  if (rel.startsWith('..')) throw new Error(`${dir} is outside node_modules`);
  return join(out, 'node_modules', rel);
}

/** Node's lookup of `name` from a package directory: its node_modules, then each parent's. */
function resolveFrom(dir, name) {
  for (let at = dir; ; at = dirname(at)) {
    const candidate = join(at, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (at === root || dirname(at) === at) return undefined;
  }
}

/**
 * What a dependency carries that nothing loads at run time: type declarations, source maps, docs, and
 * native builds made for this machine's Node (the image compiles its own, see the Dockerfiles) or,
 * for the Bare runtime's packages, for other platforms.
 */
function unneeded(rel) {
  if (/\.([cm]?ts|map|md|markdown|tsbuildinfo)$/.test(rel)) return true;
  const parts = rel.split(sep);
  if (parts.includes('build') && parts.includes('Release')) return true;
  const at = parts.indexOf('prebuilds');
  return at >= 0 && parts.length > at + 1 && parts[at + 1] !== 'linux-x64';
}

/**
 * Dependencies left out: `cpu-features`, ssh2's optional native addon (ssh2 loads it in a try and
 * runs without it; built here for this machine's Node, it would not load in the image anyway), and
 * `nan`, the C++ headers such addons compile with.
 */
const skipped = new Set(['cpu-features', 'nan']);

const seen = new Set();
const queue = Object.values(workspaces);
while (queue.length > 0) {
  const dir = queue.pop();
  if (seen.has(dir)) continue;
  seen.add(dir);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const isWorkspace = isWorkspaceDir(dir);
  // What a workspace publishes (its package.json `files`), and nothing else.
  const published = ['package.json', ...(pkg.files ?? ['bin', 'dist'])];
  const target = destination(dir, pkg.name);
  mkdirSync(target, { recursive: true });
  cpSync(dir, target, {
    recursive: true,
    dereference: true,
    filter: (src) => {
      const rel = relative(dir, src);
      if (rel === '') return true;
      const top = rel.split(sep)[0];
      // Dependencies are copied on their own, only those needed; workspaces ship only what they publish.
      if (top === 'node_modules') return false;
      // (Their compiled tests stay out too.)
      if (isWorkspace) return published.includes(top) && !unneeded(rel) && !/\.test\.js$/.test(rel);
      return !unneeded(rel);
    },
  });
  // The dashboard's dependencies are bundled into its dist/ by vite: none is needed at run time.
  if (dir === workspaces['@ferry/web']) continue;
  const deps = { ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.peerDependencies };
  for (const name of Object.keys(deps)) {
    // Type packages are for the compiler only; the others are not loaded at run time (see `skipped`).
    if (name.startsWith('@types/') || skipped.has(name)) continue;
    const found = resolveFrom(dir, name);
    // Optional and peer dependencies that are not installed are not needed.
    if (found !== undefined) queue.push(found);
  }
}
// The server's bundled pipeline template (pipelines/default.yml, `defaultTemplatePath()`).
if (image === 'server') cpSync(join(root, 'pipelines/default.yml'), join(out, 'pipelines/default.yml'));
// The build seccomp profile the docker executor gives buildah build containers by default
// (`executor.docker.buildSeccompProfile`, found in the nearest deploy/seccomp above the server's code).
if (image === 'server')
  cpSync(join(root, 'deploy/seccomp/ferry-build.json'), join(out, 'deploy/seccomp/ferry-build.json'));
// The runner as one bundle (scripts/lib/runner-bundle.mjs): Node loads a few files instead of the
// ~290 modules of a deploy, which took seconds of every runner pod's start on a busy node.
if (image === 'runner') await bundleRunner(out);
console.log(`staged ${seen.size} packages in ${out}`);
