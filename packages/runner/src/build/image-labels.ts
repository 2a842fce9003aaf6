/** OCI labels a built image carries, so an image (and every pod running it) maps to one commit. */
export const ImageLabel = {
  revision: 'org.opencontainers.image.revision',
  source: 'org.opencontainers.image.source',
  pipeline: 'dev.ferry.pipeline',
} as const;

/** The labels of a build; the source label only when the URL is known. Pure. */
export function imageLabels(sha: string, sourceUrl: string, pipelineId: string): Record<string, string> {
  return {
    [ImageLabel.revision]: sha,
    ...(sourceUrl === '' ? {} : { [ImageLabel.source]: sourceUrl }),
    [ImageLabel.pipeline]: pipelineId,
  };
}
