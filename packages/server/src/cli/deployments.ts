import type { DeploymentEntry } from '../history/audit/deployment-entry.js';
import { CliFailure } from './client/cli-failure.js';
import { resolveTarget } from './client/contexts.js';
import { FerryApi } from './client/ferry-api.js';

export interface DeploymentsOptions {
  server?: string;
  context?: string;
  project?: string;
  environment?: string;
  since?: string;
  limit?: string;
  json?: boolean;
}

/** One entry as a line of the table `ferry deployments` prints. Pure. */
export function deploymentLine(e: DeploymentEntry): string {
  const digest = e.imageDigest === undefined ? '-' : e.imageDigest.replace(/^sha256:/, '').slice(0, 12);
  const outcome =
    e.rolledBackTo !== undefined
      ? `${e.outcome} → ${e.rolledBackTo.slice(0, 8)}`
      : e.canaryStep !== undefined
        ? `${e.outcome} at ${e.canaryStep}`
        : e.outcome;
  return [
    e.at,
    e.environment,
    e.project.path,
    e.kind,
    e.user,
    e.sha.slice(0, 8),
    digest,
    outcome,
    e.pipelineId,
  ].join('\t');
}

/**
 * `ferry deployments`: the audit trail of a running Ferry (its API): who deployed which commit and
 * image where, when, and how it ended. The server and token: as every client command finds them
 * (--server, FERRY_URL, the context of `ferry login`; FERRY_TOKEN).
 */
export async function deployments(
  options: DeploymentsOptions,
  env: Readonly<Record<string, string | undefined>> = process.env,
  out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  const params = new URLSearchParams();
  if (options.project !== undefined) params.set('project', options.project);
  if (options.environment !== undefined) params.set('environment', options.environment);
  if (options.since !== undefined) {
    const since = new Date(options.since);
    if (Number.isNaN(since.getTime())) {
      out.write(
        `ferry: --since "${options.since.slice(0, 40)}" is not a date (write 2026-01-31 or an ISO time)\n`,
      );
      return 2;
    }
    params.set('since', since.toISOString());
  }
  if (options.limit !== undefined) params.set('limit', options.limit);
  let body: { items: DeploymentEntry[]; archive?: string };
  try {
    const api = new FerryApi(resolveTarget(options, env));
    body = await api.request('GET', `/deployments?${params}`);
  } catch (err) {
    if (!(err instanceof CliFailure)) throw err;
    out.write(`ferry: ${err.code}: ${err.message}\n`);
    return err.exitCode;
  }
  if (options.json === true) {
    out.write(`${JSON.stringify(body)}\n`);
    return 0;
  }
  out.write('when\tenvironment\tproject\tkind\twho\tcommit\timage\toutcome\tpipeline\n');
  for (const entry of body.items) out.write(`${deploymentLine(entry)}\n`);
  if (body.archive === 'unavailable')
    out.write('ferry: the archive is unavailable; only recent deployments are listed\n');
  return 0;
}
