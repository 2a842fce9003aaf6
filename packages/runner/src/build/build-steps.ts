import { readFile } from 'node:fs/promises';
import { type BuildSuccess, FerryError, ReleaseErrors } from '@ferry/shared';
import type { OutputLines } from '../command/output-lines.js';
import { checkBaseImages } from './base-image-check.js';
import type { BuildJob, RegistryAccess } from './build-env.js';
import { RegistryHttpError, readManifest } from './registry-client.js';
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

/** The commit tag's manifest digest read back from the registry (not from the builder's word). */
export async function readBackDigest(
  registry: RegistryAccess,
  repository: string,
  tags: ImageTags,
  signal: AbortSignal,
): Promise<BuildSuccess> {
  let digest: string;
  try {
    digest = (await readManifest(registry, repository, tags.immutableTag, signal)).digest;
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
  return {
    image: tags.immutable,
    digest,
    reference: `${tags.repository}@${digest}`,
    tags: [tags.immutable, tags.moving],
  };
}
