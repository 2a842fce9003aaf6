import type { FerryConfig } from '@ferry/shared';

/**
 * How build stages build: `build.builder` when set; else buildah on kubernetes (no daemon in the
 * cluster) unless a build daemon is configured (`build.dockerHost`), the engine elsewhere. Pure.
 */
export function builderFor(config: Pick<FerryConfig, 'build' | 'executor'>): 'engine' | 'buildah' {
  if (config.build.builder !== undefined) return config.build.builder;
  return config.executor.kind === 'kubernetes' && config.build.dockerHost === undefined
    ? 'buildah'
    : 'engine';
}
