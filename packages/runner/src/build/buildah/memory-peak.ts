import { readFile } from 'node:fs/promises';

/** Where the kernel keeps a container's peak memory: cgroup v2, then cgroup v1. */
const PEAK_FILES = ['/sys/fs/cgroup/memory.peak', '/sys/fs/cgroup/memory/memory.max_usage_in_bytes'];

/**
 * The peak memory of the container the build ran in (the runner and buildah with its children),
 * in bytes; undefined where the cgroup does not say.
 */
export async function containerMemoryPeak(): Promise<number | undefined> {
  for (const file of PEAK_FILES) {
    const text = await readFile(file, 'utf8').catch(() => undefined);
    const bytes = Number(text?.trim());
    if (text !== undefined && Number.isFinite(bytes) && bytes > 0) return bytes;
  }
  return undefined;
}
