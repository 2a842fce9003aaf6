import { randomBytes } from 'node:crypto';

/** `ferry-<pipeline>-<stage>-<attempt>-<random>`: unique, readable in `ps` and `ls`, safe as a file name. */
export function localRunnerId(
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

/** True for names `localRunnerId` makes (the only directories `list` and `destroy` touch). */
export function isLocalRunnerId(name: string): boolean {
  return /^ferry-[a-z0-9-]+-\d+-[0-9a-f]{8}$/.test(name);
}
