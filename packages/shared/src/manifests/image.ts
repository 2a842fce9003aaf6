import { RELEASE_IMAGE_NOT_PINNED } from '../errors/codes/release.js';
import { FerryError } from '../errors/ferry-error.js';
import { parseImageRef } from '../pipeline-spec/image-ref.js';

/**
 * The image a Deployment runs must name one build: a digest (`repo@sha256:…`) or a tag other
 * than `latest` and the environment's moving tag. Throws RELEASE_IMAGE_NOT_PINNED otherwise.
 */
export function assertPinnedImage(image: string, environment: string): void {
  const ref = parseImageRef(image);
  const why =
    ref === undefined
      ? 'it is not a valid image reference'
      : ref.digest !== undefined
        ? undefined
        : ref.tag === undefined || ref.tag === 'latest'
          ? 'it has no tag or digest, or the tag is latest'
          : ref.tag === environment
            ? `its tag is the moving tag of environment ${environment}`
            : undefined;
  if (why !== undefined) throw new FerryError(RELEASE_IMAGE_NOT_PINNED, { image, reason: why });
}
