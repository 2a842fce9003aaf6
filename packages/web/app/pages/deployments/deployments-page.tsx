import { useEffect, useState } from 'preact/hooks';
import { Link, useSearch } from 'wouter-preact';
import { ApiError, api } from '../../api/client';
import { shortSha } from '../../format/git';

/** One audit entry as GET /api/v1/deployments answers it. */
export interface DeploymentEntry {
  pipelineId: string;
  project: { id: number; path: string };
  environment: string;
  kind: 'deploy' | 'rollback' | 'canary';
  user: string;
  sha: string;
  imageDigest?: string;
  at: string;
  outcome: string;
  rolledBackTo?: string;
  /** A canary step (`1/3 10%`), for kind `canary`. */
  canaryStep?: string;
}

/** `/deployments?environment=&project=`: who deployed what where, and when, from the audit trail. */
export function DeploymentsPage() {
  const search = useSearch();
  const [items, setItems] = useState<DeploymentEntry[] | undefined>(undefined);
  const [archive, setArchive] = useState<string | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const params = new URLSearchParams(search);
  const environment = params.get('environment') ?? undefined;

  useEffect(() => {
    const query = new URLSearchParams();
    for (const key of ['project', 'environment', 'since']) {
      const value = new URLSearchParams(search).get(key);
      if (value !== null && value !== '') query.set(key, value);
    }
    const stop = new AbortController();
    api<{ items: DeploymentEntry[]; archive?: string }>(`/deployments?${query}`, {
      signal: stop.signal,
    }).then(
      (answer) => {
        setItems(answer.items);
        setArchive(answer.archive);
        setError(undefined);
      },
      (err: unknown) => {
        if (err instanceof ApiError) setError(err);
      },
    );
    return () => stop.abort();
  }, [search]);

  return (
    <div class="page">
      <div class="page-head">
        <h1>Deployments{environment === undefined ? '' : ` to ${environment}`}</h1>
      </div>
      {error !== undefined && (
        <div class="alert" role="alert">
          {error.message}
        </div>
      )}
      {archive === 'unavailable' && (
        <div class="alert" role="status">
          The archive is unavailable: only recent deployments are listed.
        </div>
      )}
      {items === undefined && error === undefined && (
        <div class="panel empty muted">Loading deployments…</div>
      )}
      {items !== undefined && items.length === 0 && <div class="panel empty">No deployments recorded.</div>}
      {items !== undefined && items.length > 0 && (
        <table class="panel deployments-table">
          <thead>
            <tr>
              <th>When</th>
              <th>Environment</th>
              <th>Project</th>
              <th>Kind</th>
              <th>Who</th>
              <th>Commit</th>
              <th>Image</th>
              <th>Outcome</th>
            </tr>
          </thead>
          <tbody>
            {items.map((e) => (
              <tr key={e.pipelineId} data-pipeline={e.pipelineId}>
                <td>
                  <Link href={`/pipelines/${e.pipelineId}`}>{new Date(e.at).toLocaleString()}</Link>
                </td>
                <td>{e.environment}</td>
                <td>{e.project.path}</td>
                <td>{e.kind}</td>
                <td>{e.user}</td>
                <td class="mono">{shortSha(e.sha)}</td>
                <td class="mono">{e.imageDigest === undefined ? '—' : e.imageDigest.slice(7, 19)}</td>
                <td>
                  {e.outcome}
                  {e.rolledBackTo === undefined ? '' : ` → ${shortSha(e.rolledBackTo)}`}
                  {e.canaryStep === undefined ? '' : ` · ${e.canaryStep}`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
