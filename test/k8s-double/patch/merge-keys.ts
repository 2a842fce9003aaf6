/**
 * Which lists are maps keyed by some of their items' fields (`patchMergeKey` / `listMapKeys`
 * in the OpenAPI schema). Every other list is atomic: replaced as a whole.
 */
import { isPlainObject, type Plain } from './json.js';

const byName = new Set([
  'containers',
  'initContainers',
  'ephemeralContainers',
  'env',
  'volumes',
  'imagePullSecrets',
  'resourceClaims',
  'readinessGates',
]);

export function mergeKeyFor(field: string | undefined, items: readonly unknown[]): string[] | undefined {
  if (!field) return undefined;
  if (byName.has(field)) return field === 'readinessGates' ? ['conditionType'] : ['name'];
  switch (field) {
    case 'volumeMounts':
      return ['mountPath'];
    case 'volumeDevices':
      return ['devicePath'];
    case 'conditions':
      return ['type'];
    case 'ownerReferences':
      return ['uid'];
    case 'hostAliases':
      return ['ip'];
    case 'topologySpreadConstraints':
      return ['topologyKey', 'whenUnsatisfiable'];
    case 'ports': {
      const first = items.find(isPlainObject);
      if (first && 'containerPort' in first) return ['containerPort', 'protocol'];
      if (first && 'port' in first) return ['port', 'protocol'];
      return undefined;
    }
    default:
      return undefined;
  }
}

/** The identifying fields of an item; `protocol` defaults to TCP as the apiserver defaults it. */
export function keyOf(item: Plain, keys: readonly string[]): Plain {
  const out: Plain = {};
  for (const k of [...keys].sort()) {
    const v = item[k] ?? (k === 'protocol' ? 'TCP' : undefined);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

export function sameKey(a: unknown, b: unknown, keys: readonly string[]): boolean {
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  return JSON.stringify(keyOf(a, keys)) === JSON.stringify(keyOf(b, keys));
}
