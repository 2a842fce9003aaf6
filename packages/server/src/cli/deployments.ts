import type { DeploymentEntry } from '../history/audit/deployment-entry.js';

export interface DeploymentsOptions {
  server?: string;
  project?: string;
  environment?: string;
  since?: string;
  limit?: string;
  json?: boolean;
}

/** One entry as a line of the table `ferry deployments` prints. Pure. */
export function deploymentLine(e: DeploymentEntry): string {
  const digest = e.imageDigest === undefined ? '-' : e.imageDigest.replace(/^sha256:/, '').slice(0, 12);
  const outcome = e.rolledBackTo === undefined ? e.outcome : `${e.outcome} → ${e.rolledBackTo.slice(0, 8)}`;
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
 * image where, when, and how it ended. FERRY_TOKEN: a viewer token when anonymous reads are off.
 */
export async function deployments(
  options: DeploymentsOptions,
  env: Readonly<Record<string, string | undefined>> = process.env,
  out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  const server = (options.server ?? env.FERRY_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
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
  const token = env.FERRY_TOKEN;
  let res: Response;
  try {
    res = await fetch(`${server}/api/v1/deployments?${params}`, {
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    out.write(`ferry: cannot reach ${server}: ${(err as Error).message}\n`);
    return 1;
  }
  const body = (await res.json().catch(() => ({}))) as {
    items?: DeploymentEntry[];
    archive?: string;
    error?: { code: string; message: string };
  };
  if (res.status !== 200 || body.items === undefined) {
    out.write(
      `ferry: ${body.error?.code ?? res.status}: ${body.error?.message ?? 'the audit trail was refused'}\n`,
    );
    return 1;
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
