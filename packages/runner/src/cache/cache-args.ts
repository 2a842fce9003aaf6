/** A job's cache as executors describe it to the runner. */
export interface CacheArgsInput {
  name: string;
  keyFiles: readonly string[];
  paths: readonly string[];
}

/**
 * The `ferry-runner cache restore|save` command line of a job's cache: the one place executors
 * (docker containers, kubernetes containers) build it from. Pure.
 */
export function cacheArgs(
  action: 'restore' | 'save',
  cache: CacheArgsInput,
  store: string,
  workspace: string,
  maxBytes: number,
): string[] {
  return [
    'cache',
    action,
    '--store',
    store,
    '--dir',
    workspace,
    '--name',
    cache.name,
    ...cache.keyFiles.flatMap((f) => ['--key-file', f]),
    ...cache.paths.flatMap((p) => ['--path', p]),
    '--max-bytes',
    String(maxBytes),
  ];
}

/** The `ferry-runner services wait` command line: every service with a TCP port, one timeout. Pure. */
export function servicesWaitArgs(
  services: readonly { name: string; readyTcp?: number; readyTimeoutMs: number }[],
): string[] {
  const tcp = services.flatMap((s) => (s.readyTcp === undefined ? [] : ['--tcp', `${s.name}=${s.readyTcp}`]));
  const timeoutMs = Math.max(1, ...services.map((s) => s.readyTimeoutMs));
  return ['services', 'wait', ...tcp, '--timeout-ms', String(timeoutMs)];
}
