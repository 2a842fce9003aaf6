import type { PipelineRecord, ResolvedTestJob } from '@ferry/shared';
import type { StageJob } from '../executors/executor.js';

/**
 * The services and the cache of one test job, as its runner's StageJob carries them. Pure. A fork
 * merge request pipeline (run without Ferry's secrets) restores the cache but never writes it: a
 * fork's script could otherwise plant files every later pipeline of the project restores.
 */
export function testJobExtras(
  job: ResolvedTestJob,
  pipeline: Pick<PipelineRecord, 'withoutSecrets'>,
): Pick<StageJob, 'services' | 'cache'> {
  return {
    ...(job.services.length === 0
      ? {}
      : {
          services: job.services.map((s) => ({
            name: s.name,
            image: s.image,
            env: { ...s.env },
            ...(s.command === null ? {} : { command: [...s.command] }),
            ...(s.ready === null ? {} : { readyTcp: s.ready.tcpPort }),
            readyTimeoutMs: s.ready?.timeoutMs ?? 60_000,
          })),
        }),
    ...(job.cache === null
      ? {}
      : {
          cache: {
            name: job.cache.key.name,
            keyFiles: [...job.cache.key.files],
            paths: [...job.cache.paths],
            save: pipeline.withoutSecrets !== true,
          },
        }),
  };
}
