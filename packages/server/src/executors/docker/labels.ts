import type { StageJob } from '../executor.js';

/** Labels on every container and volume of a docker runner: how `list`, `destroy` and people find them. */
export const Label = {
  managed: 'ferry.managed',
  executor: 'ferry.executor',
  runner: 'ferry.runner',
  role: 'ferry.role',
  pipeline: 'ferry.pipeline',
  stage: 'ferry.stage',
  project: 'ferry.project',
  sha: 'ferry.sha',
  attempt: 'ferry.attempt',
  owner: 'ferry.owner',
  /** The service's name, on a service container. */
  service: 'ferry.service',
} as const;

export function runnerLabels(job: StageJob, id: string): Record<string, string> {
  return {
    [Label.managed]: '1',
    [Label.executor]: 'docker',
    [Label.runner]: id,
    [Label.pipeline]: job.pipelineId,
    [Label.stage]: job.stage,
    [Label.project]: job.project.path,
    [Label.sha]: job.sha,
    [Label.attempt]: String(job.attempt),
    ...(job.owner === undefined ? {} : { [Label.owner]: job.owner }),
  };
}

/** The Docker API filter for every runner this executor made (`list`), or for one runner. */
export function runnerFilter(id?: string, owner?: string): Record<string, string[]> {
  const labels = [`${Label.managed}=1`, `${Label.executor}=docker`];
  if (id !== undefined) labels.push(`${Label.runner}=${id}`);
  if (owner !== undefined) labels.push(`${Label.owner}=${owner}`);
  return { label: labels };
}
