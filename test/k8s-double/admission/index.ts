/**
 * The admission chain the double runs on writes, in the apiserver's order: mutating plugins
 * (LimitRanger defaults) before validation, validating plugins (PodSecurity, LimitRanger,
 * ResourceQuota) after it. Refusals are 403 Forbidden `<resource> "<name>" is forbidden: …`
 * (admission.NewForbidden); Pod Security warnings go to the response's `Warning` headers.
 */
import { quotaViolation } from '../api/quota.js';
import { R, type ResourceDef } from '../api/resources.js';
import { forbidden, type Target } from '../api/status.js';
import type { Store } from '../store/store.js';
import type { KubeObject } from '../types.js';
import { aggregate, defaultPodResources, limitRangeViolations } from './limit-range.js';
import { admitPod, admitPodController, isSignificantPodUpdate } from './pod-security/index.js';

const target = (def: ResourceDef, obj: KubeObject): Target => ({
  plural: def.plural,
  group: def.group,
  kind: def.kind,
  name: obj.metadata.name,
});

const namespaceLabels = (store: Store, obj: KubeObject) =>
  store.peek(R.namespaces, undefined, obj.metadata.namespace ?? '')?.metadata.labels;

/** Mutating admission: LimitRanger defaults for a pod being created. */
export function mutate(store: Store, def: ResourceDef, obj: KubeObject, old: KubeObject | undefined): void {
  if (def === R.pods && old === undefined) defaultPodResources(store, obj);
}

/** Validating admission; returns the warnings for the response, throws the 403 of a refusal. */
export function validate(
  store: Store,
  def: ResourceDef,
  obj: KubeObject,
  old: KubeObject | undefined,
): string[] {
  const warnings: string[] = [];
  if (def === R.pods && (old === undefined || isSignificantPodUpdate(obj, old))) {
    const psa = admitPod(namespaceLabels(store, obj), obj);
    if (psa.forbidden) throw forbidden(target(def, obj), psa.forbidden);
    warnings.push(...psa.warnings);
  }
  if (def === R.deployments || def === R.replicasets) {
    warnings.push(...admitPodController(namespaceLabels(store, obj), obj).warnings);
  }
  if (def === R.pods && old === undefined) {
    const errs = limitRangeViolations(store, obj);
    if (errs.length > 0) throw forbidden(target(def, obj), aggregate(errs));
  }
  if (old === undefined) {
    const overQuota = quotaViolation(store, def, obj);
    if (overQuota) throw overQuota;
  }
  return warnings;
}
