/**
 * How the apiserver treats an object of a CRD's kind (k8s.io/apiextensions-apiserver v1.31,
 * pkg/registry/customresource/validator.go): its name is a DNS subdomain
 * (ValidateObjectMetaAccessor with NameIsDNSSubdomain), and the pruned object must satisfy the
 * version's schema (custom-object.ts), else 422 Invalid.
 */
import type { KindBehaviour } from '../api/kinds/kind.js';
import type { CustomResource } from '../api/resources.js';
import { validateCustomObject } from './custom-object.js';

export function customKind(custom: CustomResource): KindBehaviour {
  return { nameRule: 'subdomain', validate: (obj) => validateCustomObject(custom.schema, obj) };
}
