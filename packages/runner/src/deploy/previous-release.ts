import { AnnotationKey, type PreviousRelease } from '@ferry/shared';
import type { V1Deployment } from '@kubernetes/client-node';

export type { PreviousRelease };

/** The image the Deployment's main container runs (the container named after the service, else the first). */
export function deploymentImage(d: V1Deployment | undefined, container: string): string | undefined {
  const containers = d?.spec?.template.spec?.containers ?? [];
  return (containers.find((c) => c.name === container) ?? containers[0])?.image;
}

/**
 * What a rollback of this release would return to: the image running now, when the release
 * changes it; when it re-deploys the same image, the previous release recorded before. Pure.
 */
export function previousRelease(
  current: V1Deployment | undefined,
  container: string,
  newImage: string,
): PreviousRelease | null {
  if (current === undefined) return null;
  const annotations = current.metadata?.annotations ?? {};
  const running = deploymentImage(current, container);
  if (running !== undefined && running !== newImage)
    return { image: running, commit: annotations[AnnotationKey.commit] ?? null };
  const recorded = annotations[AnnotationKey.previousImage];
  return recorded === undefined
    ? null
    : { image: recorded, commit: annotations[AnnotationKey.previousCommit] ?? null };
}
