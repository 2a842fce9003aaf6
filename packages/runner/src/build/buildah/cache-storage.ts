import { mkdir, rm, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { OutputLines } from '../../command/output-lines.js';
import type { BuildJob } from '../build-env.js';
import { BuildahSandbox } from './sandbox.js';
import { type HeldSlot, lockFreeSlot } from './storage-slots.js';

/**
 * containers/image's blob-info cache for root (`/var/lib/containers/cache`, fixed for euid 0 and
 * outside `--root`): which compressed blob each layer is and which registry already has it. On the
 * pod's emptyDir it is lost with the pod, and a warm build then compresses the base image's layers
 * again to push each `--cache-to` image (26 of 45 s of the bench's warm build); kept in the slot,
 * the push finds them known.
 */
export const SYSTEM_BLOB_INFO_CACHE = join(BuildahSandbox.storageDir, 'cache');

/**
 * The build cache slot this build locks (FERRY_BUILD_CACHE_DIR), said in the log; null: none is
 * configured, every slot is in use, or locking failed (the build then runs on the pod's empty
 * storage: slower, never failed by the cache).
 */
export async function claimStorage(job: BuildJob, out: OutputLines): Promise<HeldSlot | null> {
  if (job.storageCache === null) return null;
  const { slots } = job.storageCache;
  try {
    const slot = await lockFreeSlot(job.storageCache);
    if (slot === null) {
      out.line(
        `build cache: all ${slots} slot(s) of this project are in use by other builds: building with empty storage`,
      );
      return null;
    }
    await keepBlobInfoCacheIn(slot.blobInfoCache).catch((err: Error) =>
      out.line(`build cache: the blob-info cache stays in the pod (${err.message})`),
    );
    out.line(
      slot.previous === null
        ? `build cache: slot ${slot.index} of ${slots}, empty (this build fills it)`
        : `build cache: slot ${slot.index} of ${slots}, warm: ${mebibytes(slot.previous.bytes)} left by pipeline ${slot.previous.pipelineId}`,
    );
    return slot;
  } catch (err) {
    out.line(`build cache: not available (${(err as Error).message}): building with empty storage`);
    return null;
  }
}

/** Records what the slot keeps (emptied past its cap); a failure here costs the next build time only. */
export async function keepSlot(
  slot: HeldSlot,
  job: BuildJob,
  out: OutputLines,
  signal: AbortSignal,
): Promise<void> {
  try {
    const kept = await slot.finish(job.pipelineId, signal);
    out.line(
      kept.emptied
        ? `build cache: slot ${slot.index} grew past ${mebibytes(job.storageCache?.maxBytes ?? 0)}: emptied (its next build is cold)`
        : `build cache: slot ${slot.index} keeps ${mebibytes(kept.bytes)} for the next build`,
    );
  } catch (err) {
    signal.throwIfAborted();
    out.line(`build cache: slot ${slot.index} could not be measured (${(err as Error).message})`);
  }
}

function mebibytes(bytes: number): string {
  return `${Math.round(bytes / 1024 ** 2)} MiB`;
}

/** Points buildah's blob-info cache (SYSTEM_BLOB_INFO_CACHE, in the pod's own storage volume) at the slot's. */
async function keepBlobInfoCacheIn(dir: string, link = SYSTEM_BLOB_INFO_CACHE): Promise<void> {
  await rm(link, { recursive: true, force: true });
  await mkdir(dirname(link), { recursive: true });
  await symlink(dir, link);
}
