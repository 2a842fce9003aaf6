/** JSON merge patch (RFC 7386) and strategic merge patch (keyed lists, `$patch` directives). */
import { clone, isPlainObject, type Plain } from './json.js';
import { mergeKeyFor, sameKey } from './merge-keys.js';

export function jsonMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return clone(patch);
  const result: Plain = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete result[k];
    else result[k] = jsonMergePatch(result[k], v);
  }
  return result;
}

function stripDirectives(value: unknown): unknown {
  if (Array.isArray(value))
    return value.filter((v) => !(isPlainObject(v) && v.$patch === 'delete')).map(stripDirectives);
  if (!isPlainObject(value)) return value;
  const out: Plain = {};
  for (const [k, v] of Object.entries(value)) if (!k.startsWith('$')) out[k] = stripDirectives(v);
  return out;
}

function mergeList(live: unknown, patch: unknown[], field: string | undefined): unknown {
  const keys = mergeKeyFor(field, [...patch, ...(Array.isArray(live) ? live : [])]);
  const replaceAll = patch.some((p) => isPlainObject(p) && p.$patch === 'replace');
  if (!keys || !Array.isArray(live) || replaceAll)
    return stripDirectives(patch.filter((p) => !(isPlainObject(p) && p.$patch === 'replace')));
  const result = clone(live);
  for (const item of patch) {
    const idx = result.findIndex((l) => sameKey(l, item, keys));
    if (isPlainObject(item) && item.$patch === 'delete') {
      if (idx >= 0) result.splice(idx, 1);
    } else if (idx >= 0) result[idx] = strategicMergePatch(result[idx], item);
    else result.push(stripDirectives(item));
  }
  return result;
}

export function strategicMergePatch(live: unknown, patch: unknown, field?: string): unknown {
  if (Array.isArray(patch)) return mergeList(live, patch, field);
  if (!isPlainObject(patch)) return clone(patch);
  if (patch.$patch === 'replace') return stripDirectives(patch);
  const result: Plain = isPlainObject(live) ? { ...live } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue;
    if (v === null || (isPlainObject(v) && v.$patch === 'delete')) delete result[k];
    else result[k] = strategicMergePatch(result[k], v, k);
  }
  return result;
}
