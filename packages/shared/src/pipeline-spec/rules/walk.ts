import type { PathSegment } from '../placeholders.js';

/** Calls `visit` for every string in `value` (map keys are not visited), depth first. */
export function walkStrings(
  value: unknown,
  visit: (text: string, path: readonly PathSegment[]) => void,
  path: readonly PathSegment[] = [],
): void {
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) {
    value.forEach((item, i) => {
      walkStrings(item, visit, [...path, i]);
    });
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) walkStrings(item, visit, [...path, key]);
  }
}

/** The env-like maps of a spec, with their paths: stage env, environment env, build args. */
export function envMaps(spec: {
  stages?: {
    test?: { env?: Record<string, unknown> | null } | null;
    build?: { args?: Record<string, unknown> | null } | null;
    deploy?: { env?: Record<string, unknown> | null } | null;
  } | null;
  environments?: Record<string, { env?: Record<string, unknown> | null } | null> | null;
}): { map: Record<string, unknown>; path: PathSegment[]; kind: 'env' | 'build-arg' }[] {
  const out: { map: Record<string, unknown>; path: PathSegment[]; kind: 'env' | 'build-arg' }[] = [];
  const test = spec.stages?.test?.env;
  if (test) out.push({ map: test, path: ['stages', 'test', 'env'], kind: 'env' });
  const deploy = spec.stages?.deploy?.env;
  if (deploy) out.push({ map: deploy, path: ['stages', 'deploy', 'env'], kind: 'env' });
  const args = spec.stages?.build?.args;
  if (args) out.push({ map: args, path: ['stages', 'build', 'args'], kind: 'build-arg' });
  for (const [name, environment] of Object.entries(spec.environments ?? {})) {
    if (environment?.env)
      out.push({ map: environment.env, path: ['environments', name, 'env'], kind: 'env' });
  }
  return out;
}
