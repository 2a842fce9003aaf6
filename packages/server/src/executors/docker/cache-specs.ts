import { cacheArgs } from '@ferry/runner';
import type { ContainerCreateOptions, VolumeCreateOptions } from 'dockerode';
import type { CacheJob, StageJob } from '../executor.js';
import { type ContainerSpecOptions, hostConfig, ROOT_USER, WORKSPACE } from './container-spec.js';
import { Label, runnerLabels } from './labels.js';
import { projectVolumeName, projectVolumeSpec } from './project-volumes.js';
import { containerName } from './runner-names.js';

/** Where a cache container sees its project's cache volume. */
export const CACHE_STORE = '/cache';

/**
 * The named volume holding one project's caches: `ferry-cache-<owner>-p<project id>`. Only that
 * project's runners mount it, so a job never reads another project's cache. It outlives runners
 * (destroy and the reaper leave it: it carries no runner label). Pure.
 */
export function cacheVolumeName(job: StageJob): string {
  return projectVolumeName('ferry-cache', job);
}

export function cacheVolumeSpec(job: StageJob): VolumeCreateOptions {
  return projectVolumeSpec(cacheVolumeName(job), 'cache', job);
}

/**
 * A cache container (runner image, no network): the workspace and the project's cache volume, one
 * `ferry-runner cache` action. Root, like the clone that wrote the workspace.
 */
export function cacheContainerSpec(
  job: StageJob,
  id: string,
  cache: CacheJob,
  action: 'restore' | 'save',
  options: ContainerSpecOptions & { cacheMaxBytes: number },
): ContainerCreateOptions {
  const host = hostConfig(id, options, 'none');
  return {
    name: containerName(id, `cache-${action}`),
    Image: options.runnerImage,
    Entrypoint: ['ferry-runner'],
    Cmd: cacheArgs(action, cache, CACHE_STORE, WORKSPACE, options.cacheMaxBytes),
    WorkingDir: WORKSPACE,
    User: ROOT_USER,
    Labels: { ...runnerLabels(job, id), [Label.role]: `cache-${action}` },
    HostConfig: {
      ...host,
      Mounts: [
        ...(host?.Mounts ?? []),
        { Type: 'volume', Source: cacheVolumeName(job), Target: CACHE_STORE, ReadOnly: false },
      ],
    },
  };
}
