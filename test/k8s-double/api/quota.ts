/**
 * ResourceQuota admission and usage: pods, their cpu/memory requests and limits, and object
 * counts. A create that would exceed a quota is 403 Forbidden with the apiserver's message.
 */

import type { Store } from '../store/store.js';
import type { KubeObject } from '../types.js';
import type { PodSpec } from './kinds/pod-spec.js';
import { formatBytes, formatCpu, parseQuantity } from './quantity.js';
import { R, type ResourceDef } from './resources.js';
import { ApiError } from './status.js';

type Usage = Record<string, number>;

const counted: Record<string, ResourceDef> = {
  pods: R.pods,
  services: R.services,
  secrets: R.secrets,
  configmaps: R.configmaps,
  persistentvolumeclaims: R.pvcs,
  'count/deployments.apps': R.deployments,
};

/** The compute resources whose quota requires every container to set them (pods.go validationSet). */
const validationSet = new Set([
  'cpu',
  'memory',
  'requests.cpu',
  'requests.memory',
  'limits.cpu',
  'limits.memory',
]);

const isActivePod = (p: KubeObject) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';

function podCompute(spec: PodSpec): Usage {
  const sum = (kind: 'requests' | 'limits', r: string) => {
    const q = (c: { resources?: { requests?: Record<string, string>; limits?: Record<string, string> } }) =>
      parseQuantity(
        c.resources?.[kind]?.[r] ?? (kind === 'requests' ? c.resources?.limits?.[r] : undefined),
      ) ?? 0;
    const main = (spec.containers ?? []).reduce((s, c) => s + q(c), 0);
    return Math.max(main, ...(spec.initContainers ?? []).map(q));
  };
  const u: Usage = {
    'requests.cpu': sum('requests', 'cpu'),
    'requests.memory': sum('requests', 'memory'),
    'limits.cpu': sum('limits', 'cpu'),
    'limits.memory': sum('limits', 'memory'),
  };
  u.cpu = u['requests.cpu']!;
  u.memory = u['requests.memory']!;
  return u;
}

/**
 * The resources a quota constrains that some container does not set, each with the containers
 * missing it: podEvaluator.Constraints (pkg/quota/v1/evaluator/core/pods.go, kubernetes) checks
 * containers and init containers alike and words it `must specify limits.cpu for: clone;
 * requests.cpu for: clone,step`.
 */
function missingResources(spec: PodSpec, keys: string[]): string | undefined {
  const missing = new Map<string, Set<string>>();
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    for (const key of keys) {
      const [kind, r] = key.includes('.')
        ? (key.split('.') as ['requests' | 'limits', string])
        : (['requests', key] as const);
      const set =
        c.resources?.[kind]?.[r] !== undefined ||
        (kind === 'requests' && c.resources?.limits?.[r] !== undefined);
      if (!set) missing.set(key, (missing.get(key) ?? new Set()).add(c.name));
    }
  }
  if (missing.size === 0) return undefined;
  return [...missing.keys()]
    .sort()
    .map((k) => `${k} for: ${[...missing.get(k)!].sort().join(',')}`)
    .join('; ');
}

export function quotaUsage(store: Store, namespace: string): Usage {
  const usage: Usage = {};
  for (const [key, def] of Object.entries(counted)) {
    const objects = store.peekAll(def, namespace);
    usage[key] = def === R.pods ? objects.filter(isActivePod).length : objects.length;
  }
  for (const p of store.peekAll(R.pods, namespace).filter(isActivePod)) {
    for (const [k, v] of Object.entries(podCompute(p.spec as PodSpec))) usage[k] = (usage[k] ?? 0) + v;
  }
  return usage;
}

const format = (key: string, v: number) =>
  key.endsWith('cpu') ? formatCpu(v) : key.endsWith('memory') ? formatBytes(v) : String(v);

/** The 403 for a create that a quota of the namespace forbids, if any. */
export function quotaViolation(store: Store, def: ResourceDef, obj: KubeObject): ApiError | undefined {
  const namespace = obj.metadata.namespace;
  if (!def.namespaced || !namespace) return undefined;
  const quotas = store.peekAll(R.resourcequotas, namespace);
  if (quotas.length === 0) return undefined;
  const requested: Usage = {};
  const countKey = Object.entries(counted).find(([, d]) => d === def)?.[0];
  if (countKey) requested[countKey] = 1;
  if (def === R.pods) Object.assign(requested, podCompute(obj.spec as PodSpec));
  const used = quotaUsage(store, namespace);
  const target = `${def.group ? `${def.plural}.${def.group}` : def.plural} "${obj.metadata.name}" is forbidden`;
  for (const q of quotas) {
    const hard: Record<string, string> = q.spec?.hard ?? {};
    const keys = Object.keys(hard).filter((k) => requested[k] !== undefined);
    if (def === R.pods) {
      const validated = keys.filter((k) => validationSet.has(k));
      const missing = missingResources(obj.spec as PodSpec, validated);
      if (missing !== undefined) {
        return new ApiError(
          403,
          'Forbidden',
          `${target}: failed quota: ${q.metadata.name}: must specify ${missing}`,
          { name: obj.metadata.name, kind: def.plural },
        );
      }
    }
    const over = keys.filter(
      (k) => (used[k] ?? 0) + (requested[k] ?? 0) > (parseQuantity(hard[k]) ?? Infinity) + 1e-9,
    );
    if (over.length > 0) {
      const list = (u: Usage) => over.map((k) => `${k}=${format(k, u[k] ?? 0)}`).join(',');
      const limited = over.map((k) => `${k}=${hard[k]}`).join(',');
      return new ApiError(
        403,
        'Forbidden',
        `${target}: exceeded quota: ${q.metadata.name}, requested: ${list(requested)}, used: ${list(used)}, limited: ${limited}`,
        {
          name: obj.metadata.name,
          kind: def.plural,
        },
      );
    }
  }
  return undefined;
}

/** `status.hard` and `status.used` for a quota. */
export function quotaStatus(store: Store, quota: KubeObject) {
  const hard: Record<string, string> = quota.spec?.hard ?? {};
  const usage = quotaUsage(store, quota.metadata.namespace ?? '');
  return { hard, used: Object.fromEntries(Object.keys(hard).map((k) => [k, format(k, usage[k] ?? 0)])) };
}
