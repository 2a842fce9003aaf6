import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/**
 * The demo's cluster when it runs from a source checkout of Ferry and a Docker engine answers: the
 * checkout's Kubernetes double (`test/k8s-double/main.ts`, run with tsx as `npx tsx` runs it), which
 * runs pods as containers of the engine, and Ferry's runner image built from the checkout. The
 * server package holds none of the double's code: it starts the checkout's entry point as a child
 * process, as a user would, and reads the kubeconfig path it prints.
 */

/** The double's entry point and the scripts the demo runs, relative to the checkout's root. */
const DOUBLE_ENTRY = 'test/k8s-double/main.ts';
const LOCAL_IMAGES_SCRIPT = 'scripts/lib/test-images.sh';
const RUNNER_IMAGE_SCRIPT = 'scripts/lib/runner-image.sh';

/**
 * The Node.js image scripts/lib/test-images.sh builds from local material (Debian's debootstrap and
 * this machine's node): the demo's test image and the sample service's base, as in Ferry's tests.
 */
export const CHECKOUT_NODE_IMAGE = 'ferry-test/node:20';

/** How long the double gets to remove its containers once asked to stop, before it is killed. */
const DOUBLE_STOP_BOUND_MS = 60_000;

/**
 * The root of the source checkout this module runs from (`packages/server/dist/demo` → the root),
 * when it is one with the double's entry point and tsx installed; undefined for an installed CLI.
 */
export function sourceCheckout(from: string = import.meta.url): string | undefined {
  const root = fileURLToPath(new URL('../../../../', from));
  try {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name?: string };
    if (manifest.name !== 'ferry') return undefined;
  } catch {
    return undefined;
  }
  const needed = [DOUBLE_ENTRY, LOCAL_IMAGES_SCRIPT, RUNNER_IMAGE_SCRIPT, 'node_modules/tsx/package.json'];
  return needed.every((path) => existsSync(join(root, path))) ? root : undefined;
}

function run(root: string, args: string[], signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', args, { cwd: root, signal, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err === null) resolve(stdout.trim());
      else
        reject(
          new Error(`${args.join(' ')} failed: ${(stderr || stdout || err.message).trim().slice(-2000)}`),
        );
    });
  });
}

/** The local base images (skipped when they exist): the Node.js image the demo tests and builds on. */
export async function buildLocalImages(root: string, signal: AbortSignal): Promise<void> {
  await run(root, [LOCAL_IMAGES_SCRIPT], signal);
}

/**
 * Ferry's runner image built from the checkout's built packages (`RUNNER_TAG` names it, as for the
 * tests; reused while its content hash is unchanged). Returns its tag.
 */
export async function buildRunnerImage(root: string, signal: AbortSignal): Promise<string> {
  await run(root, [RUNNER_IMAGE_SCRIPT], signal);
  return run(root, [RUNNER_IMAGE_SCRIPT, '--print-tag'], signal);
}

export interface CheckoutCluster {
  /** The kubeconfig the double wrote (a token and its loopback URL). */
  kubeconfig: string;
  /** The double's process id (its containers carry it as a label). */
  pid: number;
  /** Asks the double to stop (it removes every container it created) and waits for its exit. */
  stop(): Promise<void>;
}

/**
 * Starts the checkout's Kubernetes double as a child process (its temp files under `dir`), and
 * resolves with the kubeconfig path it prints once it serves. A Ctrl-C on the terminal reaches it
 * too (same process group): it then stops by itself, and `stop()` only waits for it.
 */
export async function startCheckoutCluster(
  root: string,
  dir: string,
  signal: AbortSignal,
): Promise<CheckoutCluster> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', DOUBLE_ENTRY, '--kubeconfig', join(dir, 'kubeconfig')],
    { cwd: root, env: { ...process.env, TMPDIR: dir }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = once(child, 'exit').then(
    () => undefined,
    () => undefined,
  );
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const stop = async () => {
    if (!gone()) child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), DOUBLE_STOP_BOUND_MS);
    });
    if ((await Promise.race([exited, late])) === 'late') child.kill('SIGKILL');
    clearTimeout(timer);
  };
  const onAbort = () => void stop();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    // Resolves (never rejects) with the spawn error, so a late one is never an unhandled rejection.
    const failed = once(child, 'error').then(
      ([err]) => err as Error,
      (err: unknown) => err as Error,
    );
    const first = new Promise<string | undefined>((resolve) => {
      lines.once('line', resolve);
      lines.once('close', () => resolve(undefined));
    });
    const kubeconfig = await Promise.race([first, failed]);
    if (kubeconfig instanceof Error)
      throw new Error(`cannot start the Kubernetes double (${DOUBLE_ENTRY}): ${kubeconfig.message}`);
    if (kubeconfig === undefined || !existsSync(kubeconfig))
      throw new Error(`the Kubernetes double (${DOUBLE_ENTRY}) did not start: ${stderr.trim()}`);
    return { kubeconfig, pid: child.pid as number, stop };
  } catch (err) {
    await stop();
    throw err;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
