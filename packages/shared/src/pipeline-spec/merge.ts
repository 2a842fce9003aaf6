import type { FerrySpec } from './schema.js';

/** Maps replaced as a whole, because their keys only make sense together (http or tcp). */
export const REPLACED_WHOLE: readonly string[] = [
  'stages.deploy.probes.readiness',
  'stages.deploy.probes.liveness',
];

/**
 * Merges a project's `.ferry.yml` over the default template, like a JSON merge patch
 * (RFC 7396): maps merge key by key, lists and scalars replace, and `null` removes the key.
 * Pure; validate the result (loadSpec does).
 */
export function mergeSpecs(base: FerrySpec, override: FerrySpec): FerrySpec {
  return mergeValues(base, override, [], REPLACED_WHOLE) as FerrySpec;
}

function isPlainMap(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
  );
}

/** Deep merge: maps by key, everything else replaced, `null` deletes; `replaced` paths are replaced whole. */
export function mergeValues(
  base: unknown,
  override: unknown,
  path: readonly string[] = [],
  replaced: readonly string[] = [],
): unknown {
  if (override === undefined) return base;
  if (!isPlainMap(override)) return override;
  const whole = replaced.includes(path.join('.'));
  const out: Record<string, unknown> = isPlainMap(base) && !whole ? { ...base } : {};
  for (const [key, value] of Object.entries(override)) {
    if (value === null) delete out[key];
    else if (value !== undefined) out[key] = mergeValues(out[key], value, [...path, key], replaced);
  }
  return out;
}
