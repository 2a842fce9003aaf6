import type { PipelineRecord } from '@ferry/shared';

/** What is deployed in one environment of one project, and what ran there lately. */
export interface EnvironmentSummary {
  project: Pick<PipelineRecord['project'], 'id' | 'path' | 'webUrl'>;
  environment: string;
  /** The last pipeline that succeeded there: what is running now. */
  deployed?: PipelineRecord;
  /** The latest pipelines there, newest first. */
  recent: PipelineRecord[];
}

const key = (p: PipelineRecord) => `${p.project.id}\u0000${p.environment}`;

/**
 * Groups pipelines (newest first) by project and environment. Environments come in `order`
 * (the configured order: test, staging, prod…), others after by name; projects by path.
 */
export function summariseEnvironments(
  newestFirst: readonly PipelineRecord[],
  order: readonly string[],
  recentPerEnvironment: number,
): EnvironmentSummary[] {
  const groups = new Map<string, EnvironmentSummary>();
  for (const pipeline of newestFirst) {
    let group = groups.get(key(pipeline));
    if (group === undefined) {
      const { id, path, webUrl } = pipeline.project;
      group = { project: { id, path, webUrl }, environment: pipeline.environment, recent: [] };
      groups.set(key(pipeline), group);
    }
    if (group.recent.length < recentPerEnvironment) group.recent.push(pipeline);
    if (group.deployed === undefined && pipeline.status === 'success') group.deployed = pipeline;
  }
  const rank = (environment: string) => {
    const i = order.indexOf(environment);
    return i === -1 ? order.length : i;
  };
  return [...groups.values()].sort(
    (a, b) =>
      rank(a.environment) - rank(b.environment) ||
      a.environment.localeCompare(b.environment) ||
      a.project.path.localeCompare(b.project.path),
  );
}
