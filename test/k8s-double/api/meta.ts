/** Validation of `metadata` common to every kind. */
import type { KubeObject } from '../types.js';
import type { KindBehaviour } from './kinds/kind.js';
import { annotations, dns1035Label, dns1123Label, dns1123Subdomain, labels } from './names.js';
import type { FieldError } from './status.js';

export function validateMetadata(obj: KubeObject, kind: KindBehaviour): FieldError[] {
  const errors: FieldError[] = [];
  const name = obj.metadata.name;
  if (!name) {
    errors.push({ type: 'Required', field: 'metadata.name', detail: 'name or generateName is required' });
  } else if (kind.nameRule === 'label') errors.push(...dns1123Label('metadata.name', name));
  else if (kind.nameRule === 'dns1035') errors.push(...dns1035Label('metadata.name', name));
  else if (kind.nameRule === 'subdomain') errors.push(...dns1123Subdomain('metadata.name', name));
  errors.push(...labels('metadata.labels', obj.metadata.labels));
  errors.push(...annotations('metadata.annotations', obj.metadata.annotations));
  const owners = obj.metadata.ownerReferences ?? [];
  owners.forEach((o, i) => {
    for (const f of ['apiVersion', 'kind', 'name', 'uid'] as const) {
      if (!o[f]) errors.push({ type: 'Required', field: `metadata.ownerReferences[${i}].${f}` });
    }
  });
  if (owners.filter((o) => o.controller).length > 1) {
    errors.push({
      type: 'Invalid',
      field: 'metadata.ownerReferences',
      value: owners,
      detail: 'Only one reference can have Controller set to true',
    });
  }
  return errors;
}
