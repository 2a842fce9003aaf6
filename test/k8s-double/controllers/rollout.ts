/** The deployment controller's arithmetic (pure): surge, unavailability, replica targets, hashes. */
import { isPlainObject, type Plain } from '../patch/json.js';

/** An int-or-percent against a total: percent rounded up for surge, down for unavailable. */
export function resolveIntOrPercent(value: unknown, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const text = String(value ?? '0');
  if (text.endsWith('%')) {
    const raw = (Number(text.slice(0, -1)) * total) / 100;
    return roundUp ? Math.ceil(raw) : Math.floor(raw);
  }
  return Number(text) || 0;
}

/** maxSurge and maxUnavailable; both 0 is impossible, so unavailable becomes 1 then. */
export function surgeAndUnavailable(
  replicas: number,
  rollingUpdate: { maxSurge?: unknown; maxUnavailable?: unknown } | undefined,
) {
  const surge = resolveIntOrPercent(rollingUpdate?.maxSurge ?? '25%', replicas, true);
  let unavailable = resolveIntOrPercent(rollingUpdate?.maxUnavailable ?? '25%', replicas, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable: Math.min(unavailable, replicas) };
}

/** How many replicas the new ReplicaSet should have now (NewRSNewReplicas). */
export function newReplicaSetReplicas(
  desired: number,
  surge: number,
  totalSpecReplicas: number,
  newReplicas: number,
): number {
  if (newReplicas >= desired) return desired;
  const allowed = desired + surge - totalSpecReplicas;
  if (allowed <= 0) return newReplicas;
  return Math.min(desired, newReplicas + allowed);
}

export interface RsView {
  name: string;
  replicas: number;
  available: number;
  /** Creation order, oldest first. */
  created: number;
}

/**
 * How far each old ReplicaSet may be scaled down (reconcileOldReplicaSets): first pods that
 * are not available anyway, then available ones while the minimum availability holds.
 */
export function scaleDownOld(
  desired: number,
  unavailable: number,
  newRs: RsView,
  old: RsView[],
): Map<string, number> {
  const targets = new Map(old.map((r) => [r.name, r.replicas]));
  const oldCount = old.reduce((s, r) => s + r.replicas, 0);
  if (oldCount === 0) return targets;
  const allCount = oldCount + newRs.replicas;
  const minAvailable = desired - unavailable;
  const newUnavailable = newRs.replicas - newRs.available;
  let budget = allCount - minAvailable - newUnavailable;
  if (budget <= 0) return targets;
  const oldest = [...old].sort((a, b) => a.created - b.created);
  for (const r of oldest) {
    if (budget <= 0) break;
    const unhealthy = Math.max(0, r.replicas - r.available);
    const cut = Math.min(unhealthy, budget);
    if (cut > 0) {
      targets.set(r.name, r.replicas - cut);
      budget -= cut;
    }
  }
  const available = newRs.available + old.reduce((s, r) => s + r.available, 0);
  let extra = available - minAvailable;
  for (const r of oldest) {
    if (extra <= 0) break;
    const current = targets.get(r.name)!;
    const cut = Math.min(current, extra);
    targets.set(r.name, current - cut);
    extra -= cut;
  }
  return targets;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Plain)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

const safeAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** fnv32a of the canonical template (plus collisionCount), encoded like `rand.SafeEncodeString`. */
export function podTemplateHash(template: unknown, collisionCount = 0): string {
  let h = 0x811c9dc5;
  const text = canonical(template) + (collisionCount ? String(collisionCount) : '');
  for (const byte of Buffer.from(text)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return [...String(h)].map((ch) => safeAlphabet[ch.charCodeAt(0) % safeAlphabet.length]).join('');
}

/**
 * apiequality.Semantic.DeepEqual's view of JSON: null is absent and an empty list is no list
 * (Go's forked reflect.DeepEqual treats nil and empty slices and maps as equal).
 */
function semantic(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(semantic);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === null || v === undefined || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = semantic(v);
  }
  return out;
}

/**
 * Templates equal but for the pod-template-hash label: EqualIgnoreHash of
 * pkg/controller/deployment/util (kubernetes), which compares with Semantic.DeepEqual — so a
 * template sent back with `creationTimestamp: null` or `env: []` (as `kubectl rollout undo` does)
 * finds its old ReplicaSet.
 */
export function templatesEqual(a: unknown, b: unknown): boolean {
  const strip = (t: unknown) => {
    const copy = structuredClone(t) as { metadata?: { labels?: Record<string, string> } };
    if (copy?.metadata?.labels) {
      delete copy.metadata.labels['pod-template-hash'];
      if (Object.keys(copy.metadata.labels).length === 0) delete copy.metadata.labels;
    }
    return canonical(semantic(copy));
  };
  return strip(a) === strip(b);
}
