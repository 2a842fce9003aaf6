import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { access, constants, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { StorageCache } from '../build-env.js';

const execFileP = promisify(execFile);

/** flock(1)'s exit code when another process holds the lock (`--conflict-exit-code`). */
const LOCK_BUSY = 75;

/** The files of one slot of a build cache directory. Pure. */
export function slotPaths(
  dir: string,
  index: number,
): { lock: string; root: string; blobInfoCache: string; notes: string; finished: string } {
  return {
    lock: join(dir, `slot-${index}.lock`),
    root: join(dir, `slot-${index}`, 'storage'),
    blobInfoCache: join(dir, `slot-${index}`, 'blob-info-cache'),
    notes: join(dir, `slot-${index}`, 'ferry-cache.json'),
    finished: join(dir, `slot-${index}`, 'finished'),
  };
}

/** What the last build in a slot left behind (its notes file). */
export interface SlotNotes {
  readonly pipelineId: string;
  readonly bytes: number;
}

export interface HeldSlot {
  readonly index: number;
  /** buildah's storage root (`--root`) in the slot. */
  readonly root: string;
  /** Where the slot keeps containers/image's blob-info cache (cache-storage.ts says why). */
  readonly blobInfoCache: string;
  /** What the previous build left; null: the slot is empty. */
  readonly previous: SlotNotes | null;
  /**
   * The slot's storage is not empty and the build that last held it did not reach `finish` (it
   * failed or was killed): it may have left working containers behind. A slot whose last build
   * finished has none (buildah removes a successful build's containers), so the next build skips
   * the clean-up, a whole buildah start.
   */
  readonly leftovers: boolean;
  /** Records this build's size; empties the slot when it grew past `maxBytes`. Returns the notes. */
  finish(pipelineId: string, signal: AbortSignal): Promise<SlotNotes & { emptied: boolean }>;
  /** Gives the lock up (idempotent). */
  release(): Promise<void>;
}

/**
 * Locks the first free slot of a build cache directory without waiting, or null when every slot is
 * held by another build. The lock is flock(2) on `slot-N.lock`, held by a flock(1) process that
 * lives until `release` closes its stdin: the kernel drops it when that process ends, so a build
 * pod killed at any point leaves no stale lock (a lock file that a dead build left would need a
 * timeout, and timing is a guess). Throws when flock(1) cannot run (the caller builds without the
 * cache then).
 */
export async function lockFreeSlot(cache: StorageCache): Promise<HeldSlot | null> {
  await mkdir(cache.dir, { recursive: true });
  for (let index = 0; index < cache.slots; index++) {
    const paths = slotPaths(cache.dir, index);
    const holder = await tryLock(paths.lock);
    if (holder === null) continue;
    let released: Promise<void> | undefined;
    const release = () => {
      released ??= new Promise<void>((resolve) => {
        if (holder.exitCode !== null || holder.signalCode !== null) return resolve();
        holder.once('exit', () => resolve());
        holder.stdin?.end();
      });
      return released;
    };
    try {
      await mkdir(paths.root, { recursive: true });
      await mkdir(paths.blobInfoCache, { recursive: true });
      // A slot a root build filled is not a rootless build's to write (the caller then builds
      // without the cache instead of failing in buildah).
      for (const dir of [paths.root, paths.blobInfoCache]) await access(dir, constants.W_OK);
      // The marker goes while this build holds the slot and comes back only through `finish`.
      const finished = await rm(paths.finished).then(
        () => true,
        () => false,
      );
      const leftovers = !finished && (await readdir(paths.root)).length > 0;
      return {
        index,
        root: paths.root,
        blobInfoCache: paths.blobInfoCache,
        previous: await readNotes(paths.notes),
        leftovers,
        release,
        finish: async (pipelineId, signal) => {
          const bytes = await directoryBytes(paths.root, signal);
          const emptied = bytes > cache.maxBytes;
          if (emptied) await rm(paths.root, { recursive: true, force: true });
          const notes = { pipelineId, bytes: emptied ? 0 : bytes };
          await writeFile(paths.notes, `${JSON.stringify(notes)}\n`);
          await writeFile(paths.finished, '');
          return { ...notes, emptied };
        },
      };
    } catch (err) {
      await release();
      throw err;
    }
  }
  return null;
}

/** flock(1) on `lockPath` without waiting: the holder process once the lock is taken, null when busy. */
function tryLock(lockPath: string): Promise<ChildProcess | null> {
  // `echo` runs only once flock holds the lock; `cat` then keeps it until its stdin closes.
  const child = spawn(
    'flock',
    [
      '--nonblock',
      '--conflict-exit-code',
      String(LOCK_BUSY),
      lockPath,
      'sh',
      '-c',
      'echo locked && exec cat',
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    stderr += text;
  });
  return new Promise((resolve, reject) => {
    child.stdout.once('data', () => resolve(child));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === LOCK_BUSY) resolve(null);
      else reject(new Error(`flock ${lockPath} exited with ${code ?? 'a signal'}: ${stderr.trim()}`));
    });
  });
}

async function readNotes(path: string): Promise<SlotNotes | null> {
  try {
    const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      'pipelineId' in parsed &&
      typeof parsed.pipelineId === 'string' &&
      'bytes' in parsed &&
      typeof parsed.bytes === 'number' &&
      parsed.bytes > 0
    )
      return { pipelineId: parsed.pipelineId, bytes: parsed.bytes };
  } catch {
    // No notes (a fresh slot) or unreadable ones: the slot counts as empty.
  }
  return null;
}

/** Bytes a directory tree takes on disk (du(1): hard links once, this filesystem only). */
async function directoryBytes(path: string, signal: AbortSignal): Promise<number> {
  const { stdout } = await execFileP('du', ['-sx', '--block-size=1', path], { signal });
  return Number(stdout.split('\t')[0]);
}
