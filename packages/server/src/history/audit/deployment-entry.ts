import type { DeploymentEntry, PipelineRecord } from '@ferry/shared';

export type { DeploymentEntry };

export interface DeploymentQuery {
  projectId?: number;
  projectPath?: string;
  environment?: string;
  /** ISO time: entries at or after it. */
  since?: string;
  limit: number;
}

/** The audit entry of a pipeline, or undefined when it never reached its deploy stage. */
export function deploymentOf(record: PipelineRecord): DeploymentEntry | undefined {
  const deploy = record.stages.find((s) => s.name === 'deploy');
  if (deploy === undefined || deploy.startedAt === undefined) return undefined;
  const rolledBackTo = record.release?.rolledBackTo ?? undefined;
  const entry: DeploymentEntry = {
    pipelineId: record.id,
    project: { id: record.project.id, path: record.project.path },
    environment: record.environment,
    kind: record.trigger === 'rollback' ? 'rollback' : 'deploy',
    user: record.user.username,
    sha: record.sha,
    at: deploy.finishedAt ?? deploy.startedAt,
    outcome: rolledBackTo === undefined ? deploy.status : 'rolled_back',
  };
  if (record.image !== undefined) {
    entry.imageDigest = record.image.digest;
    entry.imageReference = record.image.reference;
  }
  if (rolledBackTo !== undefined) entry.rolledBackTo = rolledBackTo;
  return entry;
}

/** A pipeline's audit entries: its deploy (or rollback), then each canary decision, oldest first. */
export function deploymentsOf(record: PipelineRecord): DeploymentEntry[] {
  const deploy = deploymentOf(record);
  if (deploy === undefined) return [];
  const steps = (record.canaryDecisions ?? []).map((d) => {
    const entry: DeploymentEntry = {
      ...withoutOutcomeDetails(deploy),
      kind: 'canary',
      user: d.by,
      at: d.at,
      outcome: d.verdict === 'promote' ? 'promoted' : 'aborted',
    };
    if (d.step !== undefined) entry.canaryStep = d.step;
    return entry;
  });
  return [deploy, ...steps];
}

function withoutOutcomeDetails(entry: DeploymentEntry): DeploymentEntry {
  const { rolledBackTo: _, canaryStep: __, ...rest } = entry;
  return rest;
}

/** One entry per pipeline, kind and time: the same entry read from both stores counts once. */
function entryKey(entry: DeploymentEntry): string {
  return `${entry.pipelineId}\n${entry.kind}\n${entry.at}`;
}

/** Whether an entry passes a query's filters (for entries built from live Redis records). */
export function matchesDeployment(entry: DeploymentEntry, query: DeploymentQuery): boolean {
  if (query.projectId !== undefined && entry.project.id !== query.projectId) return false;
  if (query.projectPath !== undefined && entry.project.path !== query.projectPath) return false;
  if (query.environment !== undefined && entry.environment !== query.environment) return false;
  if (query.since !== undefined && entry.at < query.since) return false;
  return true;
}

/** Newest first, each entry once (a pipeline in both stores during its move counts once). */
export function mergeDeployments(
  a: readonly DeploymentEntry[],
  b: readonly DeploymentEntry[],
  limit: number,
): DeploymentEntry[] {
  const byKey = new Map<string, DeploymentEntry>();
  for (const entry of [...a, ...b]) if (!byKey.has(entryKey(entry))) byKey.set(entryKey(entry), entry);
  return [...byKey.values()].sort((x, y) => (x.at < y.at ? 1 : x.at > y.at ? -1 : 0)).slice(0, limit);
}
