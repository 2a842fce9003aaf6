import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';

/** The archive suffix of a saved cache in the store. */
const SUFFIX = '.tar.gz';

export interface CacheEntry {
  file: string;
  bytes: number;
  mtimeMs: number;
}

/** The archive of `key` in `store`. */
export function archivePath(store: string, key: string): string {
  return join(store, `${key}${SUFFIX}`);
}

function run(cmd: string, args: readonly string[], signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { signal, maxBuffer: 1024 * 1024 }, (err, _stdout, stderr) => {
      if (err === null) resolve();
      else
        reject(
          new Error(
            `${cmd} failed: ${String(stderr).trim().split('\n').slice(-3).join('; ') || err.message}`,
          ),
        );
    });
  });
}

/** The saved caches in `store`, oldest use first. Temporary files of unfinished saves are not entries. */
export async function listEntries(store: string): Promise<CacheEntry[]> {
  const entries: CacheEntry[] = [];
  for (const name of await readdir(store).catch(() => [] as string[])) {
    if (!name.endsWith(SUFFIX) || name.startsWith('.')) continue;
    const info = await stat(join(store, name)).catch(() => undefined);
    if (info?.isFile()) entries.push({ file: join(store, name), bytes: info.size, mtimeMs: info.mtimeMs });
  }
  return entries.sort((a, b) => a.mtimeMs - b.mtimeMs);
}

/**
 * Extracts the archive of `key` into `workspace`. 'miss' when there is none; a corrupt archive is
 * removed, whatever it half-extracted of `paths` too, and is a miss as well: a cache never fails a job.
 */
export async function restoreArchive(
  store: string,
  key: string,
  workspace: string,
  paths: readonly string[],
  signal: AbortSignal,
): Promise<{ kind: 'hit'; bytes: number } | { kind: 'miss'; why: string }> {
  const file = archivePath(store, key);
  const info = await stat(file).catch(() => undefined);
  if (info === undefined) return { kind: 'miss', why: 'no cache saved for this key' };
  try {
    await run('tar', ['-xzf', file, '-C', workspace], signal);
  } catch (err) {
    signal.throwIfAborted();
    await Promise.all(paths.map((p) => rm(join(workspace, p), { recursive: true, force: true })));
    await rm(file, { force: true });
    return { kind: 'miss', why: `the saved archive is unreadable (${(err as Error).message}); removed` };
  }
  // Used now: eviction removes the caches used longest ago first.
  const now = new Date();
  await utimes(file, now, now).catch(() => {});
  return { kind: 'hit', bytes: info.size };
}

/**
 * Writes the archive of `key` from those of `paths` that exist, atomically (a temporary file
 * renamed), so a concurrent restore never reads half an archive. Undefined when none exists.
 */
export async function saveArchive(
  store: string,
  key: string,
  workspace: string,
  paths: readonly string[],
  signal: AbortSignal,
): Promise<{ bytes: number; paths: string[] } | undefined> {
  const present: string[] = [];
  for (const p of paths)
    if ((await stat(join(workspace, p)).catch(() => undefined)) !== undefined) present.push(p);
  if (present.length === 0) return undefined;
  await mkdir(store, { recursive: true });
  const temp = join(store, `.saving-${randomBytes(6).toString('hex')}`);
  try {
    // gzip -1: a dependency cache is mostly compressed already or text that -1 shrinks well; speed matters.
    await run('tar', ['-c', '-I', 'gzip -1', '-f', temp, '-C', workspace, '--', ...present], signal);
    await rename(temp, archivePath(store, key));
  } finally {
    await rm(temp, { force: true });
  }
  const info = await stat(archivePath(store, key));
  return { bytes: info.size, paths: present };
}

/**
 * Removes the caches used longest ago until the store holds at most `maxBytes`; `keep` (the one just
 * saved) goes last, and goes too when it alone is over the cap. Returns the removed files.
 */
export async function evict(store: string, maxBytes: number, keep: string): Promise<string[]> {
  const entries = await listEntries(store);
  let total = entries.reduce((sum, e) => sum + e.bytes, 0);
  const order = [...entries.filter((e) => e.file !== keep), ...entries.filter((e) => e.file === keep)];
  const removed: string[] = [];
  for (const entry of order) {
    if (total <= maxBytes) break;
    await rm(entry.file, { force: true });
    total -= entry.bytes;
    removed.push(entry.file);
  }
  return removed;
}
