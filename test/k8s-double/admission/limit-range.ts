/**
 * LimitRanger admission for pods (plugin/pkg/admission/limitranger/admission.go, kubernetes):
 * - mutating (PodMutateLimitFunc): each `Container` item's `default` fills missing limits and
 *   `defaultRequest` missing requests, on containers and init containers, recorded in the
 *   `kubernetes.io/limit-ranger` annotation (`LimitRanger plugin set: cpu, memory request for
 *   container app; cpu limit for init container clone`);
 * - validating (PodValidateLimitFunc): `Container` min/max/maxLimitRequestRatio per container and
 *   init container, `Pod` items against max(sum of containers, any init container); failures are
 *   403 `pods "x" is forbidden: <errors>` (utilerrors.NewAggregate: one error as is, several in
 *   `[a, b]`), with the upstream texts (`maximum cpu usage per Container is 1, but limit is 2.`).
 */
import type { V1Container, V1LimitRangeItem } from '@kubernetes/client-node';
import { R } from '../api/resources.js';
import { canonicalQuantity, parseExact } from '../decoding/quantity.js';
import type { Store } from '../store/store.js';
import type { KubeObject } from '../types.js';

type ResourceList = Record<string, string>;

const itemsOf = (store: Store, namespace: string): V1LimitRangeItem[] =>
  store.peekAll(R.limitranges, namespace).flatMap((lr) => (lr.spec?.limits ?? []) as V1LimitRangeItem[]);

const text = (v: string | number) => canonicalQuantity(v) ?? String(v);

/** Milli-units as BigInt, the precision requestLimitEnforcedValues compares at. */
function milli(v: string | number | undefined): bigint {
  const q = v === undefined ? undefined : parseExact(v);
  if (!q) return 0n;
  const e = q.exponent + 3;
  return e >= 0 ? q.mantissa * 10n ** BigInt(e) : q.mantissa / 10n ** BigInt(-e);
}

export function defaultPodResources(store: Store, pod: KubeObject): void {
  const items = itemsOf(store, pod.metadata.namespace ?? '').filter((i) => i.type === 'Container');
  if (items.length === 0) return;
  const limits: ResourceList = {};
  const requests: ResourceList = {};
  for (const item of items) {
    Object.assign(requests, item.defaultRequest ?? {});
    // The wire field is `default` (client-node's model calls it `_default`).
    Object.assign(limits, (item as unknown as { default?: ResourceList }).default ?? {});
  }
  const notes: string[] = [];
  const merge = (c: V1Container, prefix: string) => {
    c.resources ??= {};
    c.resources.limits ??= {};
    c.resources.requests ??= {};
    const setLimits = Object.keys(limits)
      .filter((k) => c.resources!.limits![k] === undefined)
      .sort();
    const setRequests = Object.keys(requests)
      .filter((k) => c.resources!.requests![k] === undefined)
      .sort();
    for (const k of setLimits) c.resources.limits[k] = limits[k]!;
    for (const k of setRequests) c.resources.requests[k] = requests[k]!;
    if (setRequests.length > 0) notes.push(`${setRequests.join(', ')} request for ${prefix} ${c.name}`);
    if (setLimits.length > 0) notes.push(`${setLimits.join(', ')} limit for ${prefix} ${c.name}`);
  };
  for (const c of (pod.spec?.containers ?? []) as V1Container[]) merge(c, 'container');
  for (const c of (pod.spec?.initContainers ?? []) as V1Container[]) merge(c, 'init container');
  if (notes.length > 0) {
    pod.metadata.annotations ??= {};
    pod.metadata.annotations['kubernetes.io/limit-ranger'] = `LimitRanger plugin set: ${notes.join('; ')}`;
  }
}

function minConstraint(type: string, r: string, enforced: string, req: ResourceList, lim: ResourceList) {
  if (req[r] === undefined)
    return `minimum ${r} usage per ${type} is ${text(enforced)}.  No request is specified.`;
  if (milli(req[r]) < milli(enforced))
    return `minimum ${r} usage per ${type} is ${text(enforced)}, but request is ${text(req[r])}.`;
  if (lim[r] !== undefined && milli(lim[r]) < milli(enforced))
    return `minimum ${r} usage per ${type} is ${text(enforced)}, but limit is ${text(lim[r])}.`;
  return undefined;
}

function maxConstraint(type: string, r: string, enforced: string, req: ResourceList, lim: ResourceList) {
  if (lim[r] === undefined)
    return `maximum ${r} usage per ${type} is ${text(enforced)}.  No limit is specified.`;
  if (milli(lim[r]) > milli(enforced))
    return `maximum ${r} usage per ${type} is ${text(enforced)}, but limit is ${text(lim[r])}.`;
  if (req[r] !== undefined && milli(req[r]) > milli(enforced))
    return `maximum ${r} usage per ${type} is ${text(enforced)}, but request is ${text(req[r])}.`;
  return undefined;
}

function ratioConstraint(type: string, r: string, enforced: string, req: ResourceList, lim: ResourceList) {
  const rq = milli(req[r]);
  const lm = milli(lim[r]);
  if (req[r] === undefined || rq === 0n)
    return `${r} max limit to request ratio per ${type} is ${text(enforced)}, but no request is specified or request is 0.`;
  if (lim[r] === undefined || lm === 0n)
    return `${r} max limit to request ratio per ${type} is ${text(enforced)}, but no limit is specified or limit is 0.`;
  const observed = Number(lm) / Number(rq);
  if (observed * 1000 > Number(milli(enforced)))
    return `${r} max limit to request ratio per ${type} is ${text(enforced)}, but provided ratio is ${observed.toFixed(6)}.`;
  return undefined;
}

function check(item: V1LimitRangeItem, req: ResourceList, lim: ResourceList): string[] {
  const errs: (string | undefined)[] = [];
  for (const [r, v] of Object.entries(item.min ?? {})) errs.push(minConstraint(item.type, r, v, req, lim));
  for (const [r, v] of Object.entries(item.max ?? {})) errs.push(maxConstraint(item.type, r, v, req, lim));
  for (const [r, v] of Object.entries(item.maxLimitRequestRatio ?? {}))
    errs.push(ratioConstraint(item.type, r, v, req, lim));
  return errs.filter((e): e is string => e !== undefined);
}

/** Pod-level totals: sum over containers (only keys every container sets), then max with each init container. */
function podTotals(pod: KubeObject, kind: 'requests' | 'limits'): ResourceList {
  const containers = (pod.spec?.containers ?? []) as V1Container[];
  const out: ResourceList = {};
  const keys = new Set(containers.flatMap((c) => Object.keys(c.resources?.[kind] ?? {})));
  for (const k of keys) {
    if (!containers.every((c) => c.resources?.[kind]?.[k] !== undefined)) continue;
    const total = containers.reduce((s, c) => s + milli(c.resources?.[kind]?.[k]), 0n);
    out[k] = `${total}m`;
  }
  for (const c of (pod.spec?.initContainers ?? []) as V1Container[]) {
    for (const [k, v] of Object.entries(c.resources?.[kind] ?? {})) {
      if (out[k] === undefined || milli(v) > milli(out[k])) out[k] = v;
    }
  }
  return out;
}

/** The errors LimitRanger validation finds for a pod; empty when it passes. */
export function limitRangeViolations(store: Store, pod: KubeObject): string[] {
  const errs: string[] = [];
  for (const item of itemsOf(store, pod.metadata.namespace ?? '')) {
    if (item.type === 'Container') {
      for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])] as V1Container[])
        errs.push(...check(item, c.resources?.requests ?? {}, c.resources?.limits ?? {}));
    }
    if (item.type === 'Pod') errs.push(...check(item, podTotals(pod, 'requests'), podTotals(pod, 'limits')));
  }
  return errs;
}

/** utilerrors.NewAggregate(errs).Error(). */
export const aggregate = (errs: string[]) => (errs.length === 1 ? errs[0]! : `[${errs.join(', ')}]`);
