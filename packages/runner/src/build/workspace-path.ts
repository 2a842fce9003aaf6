import { realpath, stat } from 'node:fs/promises';
import { posix, relative, resolve, sep } from 'node:path';
import { FerryError, ReleaseErrors } from '@ferry/shared';

/**
 * Why a path from the spec may not be used as a path inside the repository, or undefined. Lexical
 * only (absolute paths, `..` escapes); symbolic links are checked by resolveInWorkspace. Pure.
 */
export function relativePathProblem(path: string): string | undefined {
  if (path.includes('\u0000')) return 'it contains a NUL character';
  if (path.startsWith('/') || path.startsWith('\\') || /^[A-Za-z]:/.test(path) || path.startsWith('~'))
    return 'it is an absolute path';
  const normal = posix.normalize(path.replace(/\\/g, '/'));
  if (normal === '..' || normal.startsWith('../')) return 'it leaves the repository with ..';
  return undefined;
}

/** True when `child` is `root` or below it (both absolute, resolved). */
export function isInside(root: string, child: string): boolean {
  const rel = relative(root, child);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep));
}

/**
 * The real path of `path` (relative to the workspace), refusing what leaves the workspace: absolute
 * paths, `..`, and symbolic links (anywhere along the path) that lead out of it. Throws
 * RELEASE_PATH_OUTSIDE_WORKSPACE naming `what` (`context`, `dockerfile`).
 */
export async function resolveInWorkspace(
  workspace: string,
  path: string,
  what: 'context' | 'dockerfile',
  kind: 'directory' | 'file',
): Promise<string> {
  const fail = (reason: string) =>
    new FerryError(ReleaseErrors.RELEASE_PATH_OUTSIDE_WORKSPACE, { what, path, reason });
  const lexical = relativePathProblem(path);
  if (lexical !== undefined) throw fail(lexical);
  const root = await realpath(workspace);
  let real: string;
  try {
    real = await realpath(resolve(root, path));
  } catch {
    throw fail('it does not exist');
  }
  if (!isInside(root, real)) throw fail('a symbolic link leads out of the repository');
  const info = await stat(real);
  if (kind === 'directory' && !info.isDirectory()) throw fail('it is not a directory');
  if (kind === 'file' && !info.isFile()) throw fail('it is not a file');
  return real;
}
