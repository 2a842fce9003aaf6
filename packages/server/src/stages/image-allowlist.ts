import { allowedBy } from '@ferry/runner';
import { ExecutorErrors, FerryError } from '@ferry/shared';
import type { StageJob } from '../executors/executor.js';

/**
 * Why a test job may not run, by `executor.allowedImages`: its image or a service's matches none
 * of the patterns. The reason starts with the stable code (`FERRY_ERR_EXECUTOR_IMAGE_NOT_ALLOWED:
 * …`), as other stage results that need one do. Undefined when allowed, when the job is not a
 * test job (build and deploy run the operators' own runner image), or when no list is set. Pure.
 */
export function imageNotAllowed(job: StageJob, patterns: readonly string[]): string | undefined {
  if (patterns.length === 0 || job.testJob === undefined) return undefined;
  const images = [
    { what: `job ${job.testJob.name}`, image: job.image },
    ...(job.services ?? []).map((s) => ({ what: `service ${s.name}`, image: s.image })),
  ];
  const refused = images.find(({ image }) => allowedBy(image, patterns) === undefined);
  if (refused === undefined) return undefined;
  const err = new FerryError(ExecutorErrors.EXECUTOR_IMAGE_NOT_ALLOWED, {
    what: refused.what,
    image: refused.image,
    patterns: patterns.join(', '),
  });
  return `${err.code}: ${err.message}`;
}
