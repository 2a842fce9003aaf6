import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
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

async function stale(): Promise<boolean> {
  try {
    await stat(join(root, 'packages/runner/dist/cli.js'));
    // tsc -b rewrites its build info on every build, but leaves outputs whose text did not change.
    const built = (await stat(join(root, 'packages/runner/dist/.tsbuildinfo'))).mtimeMs;
    return (await newest(join(root, 'packages/runner/src'))) > built;
  } catch {
    return true;
  }
}

/** Holds a lock directory while `work` runs: test files run in parallel workers. */
async function withLock<T>(lock: string, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = Date.now() - (await stat(lock).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if (age > 300_000) await rm(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`${lock} is held too long; remove it if no build runs`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/**
 * Executors run the built runner program (packages/runner/dist), not its source: when the build is
 * missing or older than the source, build it (tsc -b packages/runner), so a stale dist never hides
 * a change. `npm test` builds first, so this only builds when tests are run by hand.
 */
export async function ensureRunnerBuilt(): Promise<void> {
  if (!(await stale())) return;
  await withLock(join(tmpdir(), 'ferry-runner-build.lock'), async () => {
    if (!(await stale())) return;
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    await new Promise<void>((resolve, reject) => {
      execFile(process.execPath, [tsc, '-b', 'packages/runner'], { cwd: root }, (err, stdout) =>
        err === null
          ? resolve()
          : reject(new Error(`tsc -b packages/runner failed:\n${stdout.slice(0, 4000)}`)),
      );
    });
  });
}

/** A staged runner image context (below) and its `ferry-runner`. */
export interface StagedRunner {
  /** The context: `node_modules/` as the image holds it under /opt/ferry. */
  dir: string;
  /** Its bin/ferry-runner.js, the program the image runs (bundled by scripts/lib/runner-bundle.mjs). */
  bin: string;
  remove(): Promise<void>;
}

/**
 * Stages the runner image's context (scripts/lib/image-context.mjs runner) in a new temp directory,
 * so a test runs the bundled runner exactly as the image holds it, without building the image.
 */
export async function stageRunnerImageContext(): Promise<StagedRunner> {
  await ensureRunnerBuilt();
  const dir = await mkdtemp(join(tmpdir(), 'ferry-runner-context-'));
  await new Promise<void>((resolve, reject) => {
    execFile(
      process.execPath,
      [join(root, 'scripts/lib/image-context.mjs'), 'runner', dir],
      { cwd: root },
      (err, _stdout, stderr) =>
        err === null ? resolve() : reject(new Error(`image-context.mjs runner failed: ${stderr}`)),
    );
  });
  return {
    dir,
    bin: join(dir, 'node_modules/@ferry/runner/bin/ferry-runner.js'),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The runner image tests use, built from the local base by scripts/lib/runner-image.sh. */
export const testRunnerImage = process.env.RUNNER_TAG ?? 'ferry/runner:test';

/**
 * Builds the runner image when the runner changed (cached by a content hash: a second call takes
 * a couple of seconds), so docker and kubernetes tests run the runner of this checkout.
 */
export async function ensureRunnerImage(): Promise<string> {
  await ensureRunnerBuilt();
  await new Promise<void>((resolve, reject) => {
    execFile('bash', [join(root, 'scripts/lib/runner-image.sh')], { cwd: root }, (err, _stdout, stderr) =>
      err === null ? resolve() : reject(new Error(`scripts/lib/runner-image.sh failed: ${stderr}`)),
    );
  });
  return testRunnerImage;
}
