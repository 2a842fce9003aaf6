/** List responses: `<Kind>List`, sorted by key like etcd, with `limit`/`continue` paging. */
import { apiVersionOf, type ResourceDef } from '../api/resources.js';
import { ApiError } from '../api/status.js';
import { sortByKey } from '../store/watch.js';
import type { KubeObject } from '../types.js';

interface ContinueToken {
  rv: number;
  after: string;
}

const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

export function listResponse(
  def: ResourceDef,
  items: KubeObject[],
  currentRv: number,
  limit?: number,
  continueToken?: string | null,
) {
  let sorted = sortByKey(items);
  let rv = currentRv;
  if (continueToken) {
    let token: ContinueToken;
    try {
      token = JSON.parse(Buffer.from(continueToken, 'base64').toString('utf8')) as ContinueToken;
    } catch {
      throw new ApiError(400, 'BadRequest', 'continue key is not valid: illegal base64 data');
    }
    rv = token.rv;
    sorted = sorted.filter((o) => keyOf(o) > token.after);
  }
  const metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number } = {
    resourceVersion: String(rv),
  };
  if (limit !== undefined && limit > 0 && sorted.length > limit) {
    const page = sorted.slice(0, limit);
    metadata.continue = Buffer.from(JSON.stringify({ rv, after: keyOf(page[page.length - 1]!) })).toString(
      'base64',
    );
    metadata.remainingItemCount = sorted.length - limit;
    sorted = page;
  }
  return {
    kind: `${def.kind}List`,
    apiVersion: apiVersionOf(def),
    metadata,
    items: sorted.map(({ apiVersion: _a, kind: _k, ...rest }) => rest),
  };
}
