import { randomBytes } from 'node:crypto';

/**
 * `ferry-<pipeline>-<stage>-<attempt>-<random>`: a runner's id, unique and readable in `ps`, `ls`
 * and `docker ps`; safe as a file name and as a Docker container or volume name.
 */
export function runnerId(
  job: { pipelineId: string; stage: string; attempt: number },
  random = randomBytes(4).toString('hex'),
): string {
  const slug = (text: string, max: number) =>
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, max) || 'x';
  return `ferry-${slug(job.pipelineId, 40)}-${slug(job.stage, 16)}-${job.attempt}-${random}`;
}

/** True for ids `runnerId` makes (the only names `list` and `destroy` touch). */
export function isRunnerId(id: string): boolean {
  return /^ferry-[a-z0-9-]+-\d+-[0-9a-f]{8}$/.test(id);
}
