/**
 * `/usr/bin/kubectl` (or $KUBECTL), a real client nobody here wrote, run against the double. A
 * missing kubectl fails the tests that use it, in CI as anywhere: it is a service they need.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

export const KUBECTL = process.env.KUBECTL ?? '/usr/bin/kubectl';

export function requireKubectl(): void {
  if (!existsSync(KUBECTL))
    throw new Error(`kubectl not found at ${KUBECTL} (the tests that drive it need it)`);
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function kubectl(
  kubeconfigPath: string,
  args: string[],
  opts: { input?: string; timeoutMs?: number } = {},
): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile(
      KUBECTL,
      ['--kubeconfig', kubeconfigPath, ...args],
      { timeout: opts.timeoutMs ?? 60_000, env: { ...process.env, KUBECONFIG: kubeconfigPath } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}
