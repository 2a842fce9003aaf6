import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SHIPPED = join('deploy', 'seccomp', 'ferry-build.json');

/**
 * The profile Ferry ships (deploy/seccomp/ferry-build.json), found in the nearest folder above this
 * module that holds it: the checkout's root, or an installation that copied deploy/ beside its
 * node_modules. Falls back to the checkout-relative path (reading it then says what is missing).
 */
export function shippedBuildSeccompProfile(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; dir = dirname(dir)) {
    if (existsSync(join(dir, SHIPPED))) return join(dir, SHIPPED);
    if (dirname(dir) === dir) return join(here, '..', '..', '..', '..', '..', SHIPPED);
  }
}

/**
 * The build seccomp profile's JSON text for the engine (`SecurityOpt: seccomp=<json>`: the engine
 * takes the profile itself, not a path), or why it cannot be had.
 */
export async function readBuildSeccompProfile(path: string): Promise<{ json: string } | { problem: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    return {
      problem: `the build seccomp profile ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); set executor.docker.buildSeccompProfile to a copy of Ferry's deploy/seccomp/ferry-build.json`,
    };
  }
  try {
    JSON.parse(text);
  } catch {
    return { problem: `the build seccomp profile ${path} is not JSON` };
  }
  return { json: text };
}
