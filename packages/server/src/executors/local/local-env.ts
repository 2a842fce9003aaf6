import { dirname } from 'node:path';

const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The base environment of every local runner process: a PATH with the system directories and
 * Node's own, HOME and TMPDIR inside the runner's directory. Nothing of Ferry's own environment
 * (FERRY_WEBHOOK_SECRET, tokens, …) is passed on; the caller adds the job's variables.
 */
export function localBaseEnv(
  dirs: { home: string; tmp: string; bin?: string },
  nodePath: string,
): Record<string, string> {
  const nodeDir = dirname(nodePath);
  const path = SYSTEM_PATH.split(':').includes(nodeDir) ? SYSTEM_PATH : `${nodeDir}:${SYSTEM_PATH}`;
  // The runner's bin directory holds `ferry-runner`, as on the PATH of the runner image.
  return { PATH: dirs.bin === undefined ? path : `${dirs.bin}:${path}`, HOME: dirs.home, TMPDIR: dirs.tmp };
}
