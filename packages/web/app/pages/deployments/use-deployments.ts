import type { DeploymentEntry } from '@ferry/shared';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../../api/client';

/** One audit entry as GET /api/v1/deployments answers it (the server's own type). */
export type { DeploymentEntry };

export interface DeploymentsState {
  items?: DeploymentEntry[];
  /** `unavailable` when the archive did not answer (only recent deployments are listed). */
  archive?: string;
  error?: ApiError;
}

/** The audit trail for the page's query (`project`, `environment`, `since`), fetched again when it changes. */
export function useDeployments(search: string): DeploymentsState {
  const [state, setState] = useState<DeploymentsState>({});
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
      (answer) =>
        setState(
          answer.archive === undefined
            ? { items: answer.items }
            : { items: answer.items, archive: answer.archive },
        ),
      (err: unknown) => {
        if (err instanceof ApiError) setState((previous) => ({ ...previous, error: err }));
      },
    );
    return () => stop.abort();
  }, [search]);
  return state;
}
