import type { FerryConfig } from '@ferry/shared';

/** Ferry's external base URL (server.publicUrl, else the listen address), with the base path. */
export function baseUrl(config: FerryConfig): string {
  const origin = (config.server.publicUrl ?? `http://${config.server.host}:${config.server.port}`).replace(
    /\/+$/,
    '',
  );
  return `${origin}${config.server.basePath}`;
}

/**
 * The dashboard page of a pipeline: the link GitLab (target_url) and WeCom messages carry.
 * Stable forever: `<base>/pipelines/<id>` (and `#stage` for a stage).
 */
export function pipelineUrl(config: FerryConfig, pipelineId: string, stage?: string): string {
  return `${baseUrl(config)}/pipelines/${encodeURIComponent(pipelineId)}${stage === undefined ? '' : `#${stage}`}`;
}

export function environmentsUrl(config: FerryConfig): string {
  return `${baseUrl(config)}/environments`;
}
