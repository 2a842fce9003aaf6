import type { VolumeCreateOptions } from 'dockerode';
import type { StageJob } from '../executor.js';
import { Label } from './labels.js';

/** How a build cache is split and capped (`executor.docker.buildCache`). */
export interface BuildCacheSlots {
  slots: number;
  maxBytes: number;
}

/**
 * The named volume holding one project's buildah storage slots (`executor.docker.buildCache`):
 * `ferry-build-cache-<owner>-p<project id>`, mounted only in that project's build steps, as the
 * kubernetes build cache claim's sub-path `p<project id>` is. It outlives runners. Pure.
 */
export function buildCacheVolumeName(job: StageJob): string {
  return projectVolumeName('ferry-build-cache', job);
}

export function buildCacheVolumeSpec(job: StageJob): VolumeCreateOptions {
  return projectVolumeSpec(buildCacheVolumeName(job), 'build-cache', job);
}

export function projectVolumeName(prefix: string, job: StageJob): string {
  const owner = (job.owner ?? 'ferry').replace(/[^a-zA-Z0-9_.-]/g, '_');
  return `${prefix}-${owner}-p${job.project.id}`;
}

export function projectVolumeSpec(name: string, role: string, job: StageJob): VolumeCreateOptions {
  return {
    Name: name,
    Driver: 'local',
    Labels: {
      [Label.managed]: '1',
      [Label.executor]: 'docker',
      [Label.role]: role,
      [Label.project]: job.project.path,
      ...(job.owner === undefined ? {} : { [Label.owner]: job.owner }),
    },
  };
}
