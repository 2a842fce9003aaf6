import { randomBytes } from 'node:crypto';

/**
 * `ferry-<pipeline>-<stage>-<attempt>-<random>`: the runner's id, its volume's name, and the stem
 * of its containers' names (`<id>-clone`, `<id>-step`). Valid as a Docker name.
 */
export function dockerRunnerId(
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

export function isDockerRunnerId(id: string): boolean {
  return /^ferry-[a-z0-9-]+-\d+-[0-9a-f]{8}$/.test(id);
}

export type ContainerRole = 'clone' | 'step';

export function containerName(id: string, role: ContainerRole): string {
  return `${id}-${role}`;
}
