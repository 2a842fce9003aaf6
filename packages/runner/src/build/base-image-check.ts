import { FerryError, ReleaseErrors } from '@ferry/shared';
import { allowedBy } from './allowlist.js';
import { dockerfileImages, type ImageUse } from './dockerfile-images.js';

/**
 * Every image the Dockerfile pulls, checked against the allowlist (null: none configured, all
 * allowed). Throws RELEASE_DOCKERFILE_INVALID or RELEASE_BASE_IMAGE_NOT_ALLOWED naming the line
 * and the patterns. Pure.
 */
export function checkBaseImages(
  file: string,
  text: string,
  buildArgs: Readonly<Record<string, string>>,
  allowlist: readonly string[] | null,
): ImageUse[] {
  const parsed = dockerfileImages(text, buildArgs);
  if (!parsed.ok)
    throw new FerryError(ReleaseErrors.RELEASE_DOCKERFILE_INVALID, {
      file: `${file}:${parsed.line}`,
      reason: parsed.reason,
    });
  if (allowlist === null) return parsed.uses;
  for (const use of parsed.uses) {
    if (allowedBy(use.image, allowlist) !== undefined) continue;
    const shown = use.written === use.image ? use.image : `${use.image} (written ${use.written})`;
    throw new FerryError(ReleaseErrors.RELEASE_BASE_IMAGE_NOT_ALLOWED, {
      file,
      line: use.line,
      instruction: use.instruction,
      image: shown,
      patterns: allowlist.length === 0 ? 'none' : allowlist.join(', '),
    });
  }
  return parsed.uses;
}
