import type { Pipeline, PipelineStatus } from '../../api/types';

/** The list's filters, as in the URL (`?project=…&environment=…&status=…&ref=…`) and the API. */
export interface ListFilter {
  project?: string;
  environment?: string;
  status?: PipelineStatus;
  ref?: string;
}

export const filterKeys = ['project', 'environment', 'status', 'ref'] as const;

export function filterFromSearch(search: string): ListFilter {
  const q = new URLSearchParams(search);
  const filter: ListFilter = {};
  for (const key of filterKeys) {
    const value = q.get(key)?.trim();
    if (value) (filter as Record<string, string>)[key] = value;
  }
  return filter;
}

export function searchOf(filter: ListFilter): string {
  const q = new URLSearchParams();
  for (const key of filterKeys) {
    const value = filter[key];
    if (value) q.set(key, value);
  }
  return q.toString();
}

/** Whether a pipeline that appeared live belongs in the filtered list. */
export function matches(p: Pipeline, f: ListFilter): boolean {
  if (f.project !== undefined && f.project !== String(p.project.id) && f.project !== p.project.path)
    return false;
  if (f.environment !== undefined && f.environment !== p.environment) return false;
  if (f.status !== undefined && f.status !== p.status) return false;
  if (f.ref !== undefined && f.ref !== p.ref) return false;
  return true;
}
