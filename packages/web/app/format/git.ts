import type { Pipeline } from '../api/types';

export function shortSha(sha: string): string {
  return sha.slice(0, 8);
}

/** Only http(s) links are followed: a project URL is data from a webhook. */
export function safeUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

export function commitUrl(p: Pick<Pipeline, 'project' | 'sha'>): string | undefined {
  const base = safeUrl(p.project.webUrl);
  return base === undefined ? undefined : `${base.replace(/\/+$/, '')}/-/commit/${encodeURIComponent(p.sha)}`;
}

export function branchUrl(p: Pick<Pipeline, 'project' | 'ref'>): string | undefined {
  const base = safeUrl(p.project.webUrl);
  return base === undefined
    ? undefined
    : `${base.replace(/\/+$/, '')}/-/tree/${p.ref.split('/').map(encodeURIComponent).join('/')}`;
}

/** The title to show: the merge request's for a merge, else the commit's. */
export function titleOf(p: Pick<Pipeline, 'commitTitle' | 'mergeRequest' | 'trigger'>): string {
  if (p.commitTitle.trim() !== '') return p.commitTitle;
  if (p.mergeRequest !== undefined) return p.mergeRequest.title;
  return p.trigger === 'manual' ? '(started by hand)' : '(no commit title)';
}

/** `shop/order-service` → group `shop/`, name `order-service`. */
export function splitPath(path: string): { group: string; name: string } {
  const i = path.lastIndexOf('/');
  return i === -1 ? { group: '', name: path } : { group: path.slice(0, i + 1), name: path.slice(i + 1) };
}
