// Stages the runner image's build context: the built @ferry/runner and @ferry/shared (package.json,
// bin, dist) and the production dependencies they need, copied from this checkout's node_modules,
// so the image builds without any network.
//   node scripts/lib/runner-context.mjs OUT_DIR     → OUT_DIR/node_modules/...
import { cpSync, existsSync, mkdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const out = process.argv[2];
if (!out) {
  console.error('usage: node scripts/lib/runner-context.mjs OUT_DIR');
  process.exit(2);
}
const workspaces = {
  '@ferry/runner': join(root, 'packages/runner'),
  '@ferry/shared': join(root, 'packages/shared'),
};
const rootModules = join(root, 'node_modules');

/** Where a package directory goes in the context. */
function destination(dir) {
  for (const [name, ws] of Object.entries(workspaces)) {
    if (dir === ws) return join(out, 'node_modules', name);
    if (dir.startsWith(ws + sep)) return join(out, 'node_modules', name, relative(ws, dir));
  }
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

const seen = new Set();
const queue = Object.values(workspaces);
while (queue.length > 0) {
  const dir = queue.pop();
  if (seen.has(dir)) continue;
  seen.add(dir);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const isWorkspace = Object.values(workspaces).includes(dir);
  const target = destination(dir);
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
      if (isWorkspace) return ['package.json', 'bin', 'dist'].includes(top) && !rel.endsWith('.tsbuildinfo');
      return true;
    },
  });
  const deps = { ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.peerDependencies };
  for (const name of Object.keys(deps)) {
    const found = resolveFrom(dir, name);
    // Optional and peer dependencies that are not installed are not needed.
    if (found !== undefined) queue.push(found);
  }
}
console.log(`staged ${seen.size} packages in ${out}`);
