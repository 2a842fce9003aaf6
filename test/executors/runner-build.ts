import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

async function newest(dir: string): Promise<number> {
  let latest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
      latest = Math.max(latest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
    }
  }
  return latest;
}

/**
 * Executors run the built runner program (packages/runner/dist), not its source: fail with the fix
 * when the build is missing or older than the source, so a stale dist never hides a change.
 */
export async function ensureRunnerBuilt(): Promise<void> {
  const cli = join(root, 'packages/runner/dist/cli.js');
  let built: number;
  try {
    await stat(cli);
    // tsc -b rewrites its build info on every build, but leaves outputs whose text did not change.
    built = (await stat(join(root, 'packages/runner/dist/.tsbuildinfo'))).mtimeMs;
  } catch {
    throw new Error(`${cli} is missing: run npx tsc -b (npm test does)`);
  }
  if ((await newest(join(root, 'packages/runner/src'))) > built) {
    throw new Error('packages/runner/dist is older than its source: run npx tsc -b (npm test does)');
  }
}

/** The runner image tests use, built from the local base by scripts/lib/runner-image.sh. */
export const testRunnerImage = 'ferry/runner:test';

/**
 * Builds the runner image when the runner changed (cached by a content hash: a second call takes
 * a couple of seconds), so docker and kubernetes tests run the runner of this checkout.
 */
export async function ensureRunnerImage(): Promise<string> {
  await ensureRunnerBuilt();
  const { execFile } = await import('node:child_process');
  await new Promise<void>((resolve, reject) => {
    execFile('bash', [join(root, 'scripts/lib/runner-image.sh')], { cwd: root }, (err, _stdout, stderr) =>
      err === null ? resolve() : reject(new Error(`scripts/lib/runner-image.sh failed: ${stderr}`)),
    );
  });
  return testRunnerImage;
}
