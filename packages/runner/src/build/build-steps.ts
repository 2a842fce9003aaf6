import { readFile } from 'node:fs/promises';
import { type BuildSuccess, FerryError, ReleaseErrors } from '@ferry/shared';
import type { OutputLines } from '../command/output-lines.js';
import { checkBaseImages } from './base-image-check.js';
import type { BuildJob, RegistryAccess } from './build-env.js';
import { type PushedManifest, RegistryHttpError, readManifest, tagManifest } from './registry-client.js';
import { registryFailure } from './registry-errors.js';
import type { ImageTags } from './tags.js';
import { resolveInWorkspace } from './workspace-path.js';

/**
 * The policy both builders apply before building: context and Dockerfile confined to the
 * workspace, every image the Dockerfile pulls checked against the allowlist (logged).
 */
export async function checkBuildInputs(
  job: BuildJob,
  workspace: string,
  out: OutputLines,
): Promise<{ contextDir: string; dockerfilePath: string }> {
  const { plan } = job;
  const contextDir = await resolveInWorkspace(workspace, plan.build.context, 'context', 'directory');
  const dockerfilePath = await resolveInWorkspace(workspace, plan.build.dockerfile, 'dockerfile', 'file');
  const uses = checkBaseImages(
    plan.build.dockerfile,
    await readFile(dockerfilePath, 'utf8'),
    plan.build.args,
    job.allowedBaseImages,
  );
  const images = [...new Set(uses.map((u) => u.image))].join(', ') || 'none (scratch)';
  out.line(
    job.allowedBaseImages === null
      ? `base images: ${images} (no allowlist configured: FERRY_ALLOWED_BASE_IMAGES is not set)`
      : `base images: ${images}, all allowed`,
  );
  return { contextDir, dockerfilePath };
}

/** The commit tag's manifest read back from the registry (not from the builder's word). */
export async function readBackManifest(
  registry: RegistryAccess,
  repository: string,
  tags: ImageTags,
  signal: AbortSignal,
): Promise<PushedManifest> {
  try {
    return await readManifest(registry, repository, tags.immutableTag, signal);
  } catch (err) {
    signal.throwIfAborted();
    const reason = (err as Error).message;
    const unreadable = () =>
      new FerryError(
        ReleaseErrors.RELEASE_MANIFEST_UNREADABLE,
        { image: tags.immutable, reason },
        { cause: err },
      );
    throw err instanceof RegistryHttpError && err.status === 401
      ? registryFailure(registry, reason, unreadable, err)
      : unreadable();
  }
}

/** What a build reports: the commit tag pinned by its digest, and both tags. Pure. */
export function builtImage(tags: ImageTags, digest: string): BuildSuccess {
  return {
    image: tags.immutable,
    digest,
    reference: `${tags.repository}@${digest}`,
    tags: [tags.immutable, tags.moving],
  };
}

/** The commit tag's manifest digest read back from the registry (not from the builder's word). */
export async function readBackDigest(
  registry: RegistryAccess,
  repository: string,
  tags: ImageTags,
  signal: AbortSignal,
): Promise<BuildSuccess> {
  return builtImage(tags, (await readBackManifest(registry, repository, tags, signal)).digest);
}

/**
 * Points the environment's moving tag at the pushed commit manifest inside the registry
 * (registry-client.ts, tagManifest): one request instead of a second push. Throws FerryError
 * (RELEASE_PUSH_FAILED, or RELEASE_REGISTRY_UNAUTHORIZED).
 */
export async function tagInRegistry(
  registry: RegistryAccess,
  repository: string,
  pushed: PushedManifest,
  tags: ImageTags,
  signal: AbortSignal,
): Promise<void> {
  try {
    await tagManifest(registry, repository, pushed, tags.movingTag, signal);
  } catch (err) {
    signal.throwIfAborted();
    const reason = (err as Error).message;
    throw registryFailure(
      registry,
      reason,
      () => new FerryError(ReleaseErrors.RELEASE_PUSH_FAILED, { image: tags.moving, reason }, { cause: err }),
      err,
    );
  }
}
