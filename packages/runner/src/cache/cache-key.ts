import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';

/** What a job's cache is: its name (the job's), the files its key hashes, the paths it keeps. */
export interface CacheSpec {
  name: string;
  /** Files relative to the workspace whose contents make the key (package-lock.json). */
  keyFiles: readonly string[];
  /** Paths relative to the workspace that are kept (node_modules, .npm). */
  paths: readonly string[];
}

/** Why `path` may not be a cache path or key file: it must stay inside the workspace. Pure. */
export function cachePathProblem(path: string): string | undefined {
  if (path === '' || isAbsolute(path))
    return `${JSON.stringify(path)} is not a path relative to the workspace`;
  const normal = normalize(path);
  if (normal === '..' || normal.startsWith(`..${sep}`) || normal === '.') {
    return `${JSON.stringify(path)} leaves the workspace or is the workspace itself`;
  }
  return undefined;
}

/** A cache name as it may appear in a file name: letters, digits, `-`, `_`, `.`. Pure. */
export function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 60) || 'cache';
}

/**
 * The cache key: a hash of the name, the paths and each key file's content (a missing file counts
 * as absent, so adding a lockfile changes the key). Files are read from `workspace`.
 */
export async function cacheKey(workspace: string, spec: CacheSpec): Promise<string> {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ v: 1, name: spec.name, paths: [...spec.paths].sort() }));
  for (const file of [...spec.keyFiles].sort()) {
    hash.update(`\0file\0${file}\0`);
    try {
      hash.update(
        createHash('sha256')
          .update(await readFile(join(workspace, file)))
          .digest('hex'),
      );
    } catch {
      hash.update('absent');
    }
  }
  return `${safeName(spec.name)}-${hash.digest('hex').slice(0, 20)}`;
}
