/**
 * The field labels each kind accepts in `fieldSelector`, as the apiserver's field label conversion
 * functions list them (pkg/apis/core/v1/conversion.go for pods, nodes, namespaces, secrets,
 * services and events; every other kind — apps/v1 registers none — falls back to
 * runtime.DefaultMetaV1FieldSelectorConversion: metadata.name and metadata.namespace only).
 * Anything else is a 400 BadRequest with the conversion function's error (handlers/get.go
 * wraps it in errors.NewBadRequest): `field label not supported: <label>`, or for the fallback
 * `"<label>" is not a known field selector: only "metadata.name", "metadata.namespace"`.
 * `spec.host` is the pods' old name for `spec.nodeName`.
 */
import type { ResourceDef } from '../api/resources.js';
import { badRequest } from '../api/status.js';

const accepted: Record<string, readonly string[]> = {
  'core/pods': [
    'spec.nodeName',
    'spec.host',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.podIPs',
    'status.nominatedNodeName',
  ],
  'core/nodes': ['spec.unschedulable'],
  'core/namespaces': ['status.phase'],
  'core/secrets': ['type'],
  'core/services': ['spec.clusterIP', 'spec.type'],
  'core/events': [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
};

/** The labels of `a=b,c!=d` (the grammar itself is parsed by api/selectors.ts). */
function labelsOf(selector: string): string[] {
  return selector
    .split(',')
    .map((term) => term.trim())
    .filter((term) => term !== '')
    .map((term) => /^([^=!]+?)\s*(==|=|!=)/.exec(term)?.[1]?.trim() ?? term);
}

/** Throws the apiserver's 400 for a field label the kind does not support. */
export function checkFieldSelector(def: ResourceDef, selector: string | undefined): void {
  if (!selector) return;
  const key = `${def.group || 'core'}/${def.plural}`;
  const own = accepted[key];
  for (const label of labelsOf(selector)) {
    if (own === undefined) {
      if (label === 'metadata.name' || label === 'metadata.namespace') continue;
      throw badRequest(
        `"${label}" is not a known field selector: only "metadata.name", "metadata.namespace"`,
      );
    }
    if (label === 'metadata.name' || (def.namespaced && label === 'metadata.namespace')) continue;
    if (own.includes(label)) continue;
    throw badRequest(`field label not supported: ${label}`);
  }
}

/** The path a label reads: `spec.host` is `spec.nodeName`, an event's `source` its component. */
export function fieldPathOf(label: string): string {
  if (label === 'spec.host') return 'spec.nodeName';
  if (label === 'source') return 'source.component';
  return label;
}
