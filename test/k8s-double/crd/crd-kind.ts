/**
 * apiextensions.k8s.io/v1 CustomResourceDefinition as the apiserver (v1.31) defaults and validates
 * it. Sources, k8s.io/apiextensions-apiserver:
 * - pkg/apis/apiextensions/v1/defaults.go: `names.singular` defaults to the lower-cased kind,
 *   `names.listKind` to `<kind>List`, `conversion` to `{strategy: None}`;
 * - pkg/apis/apiextensions/validation/validation.go: metadata.name must be
 *   `spec.names.plural+"."+spec.group`; group a DNS subdomain "with at least one dot"; scope
 *   Namespaced or Cluster; unique DNS-1035 version names and "exactly one version marked as storage
 *   version"; in v1 every version needs `schema.openAPIV3Schema` ("schemas are required"), which
 *   must be structural (structural.ts); plural, singular, kind and listKind required and DNS-1035
 *   (kind and listKind in any case); group and names.plural immutable;
 * - pkg/registry/customresourcedefinition/strategy.go: on create the status is reset and
 *   `storedVersions` holds the storage version; status is kept on spec writes (status subresource).
 * The conditions (NamesAccepted, Established) are set by crd/controller.ts, as by the
 * apiextensions-apiserver's naming and establishing controllers.
 */
import type { KindBehaviour } from '../api/kinds/kind.js';
import { dns1035Label, dns1123Subdomain } from '../api/names.js';
import type { FieldError } from '../api/status.js';
import type { KubeObject } from '../types.js';
import type { JsonSchema } from './json-schema.js';
import { structuralErrors } from './structural.js';

export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema?: { openAPIV3Schema?: JsonSchema };
  subresources?: { status?: object; scale?: object };
}

export interface CrdNames {
  plural: string;
  singular?: string;
  kind: string;
  listKind?: string;
  shortNames?: string[];
  categories?: string[];
}

export interface CrdSpec {
  group: string;
  scope: string;
  names: CrdNames;
  versions: CrdVersion[];
}

export const specOf = (crd: KubeObject) => (crd.spec ?? {}) as CrdSpec;

function validateNames(names: Partial<CrdNames>, path: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const f of ['plural', 'singular', 'kind', 'listKind'] as const)
    if (!names[f]) errors.push({ type: 'Required', field: `${path}.${f}` });
  for (const f of ['plural', 'singular'] as const)
    if (names[f]) errors.push(...dns1035Label(`${path}.${f}`, names[f]));
  for (const f of ['kind', 'listKind'] as const) {
    const v = names[f];
    if (v)
      errors.push(
        ...dns1035Label(`${path}.${f}`, v.toLowerCase()).map((e) => ({
          ...e,
          value: v,
          detail: `may have mixed case, but should otherwise match: ${e.detail}`,
        })),
      );
  }
  for (const [i, s] of (names.shortNames ?? []).entries())
    errors.push(...dns1035Label(`${path}.shortNames[${i}]`, s));
  for (const [i, c] of (names.categories ?? []).entries())
    errors.push(...dns1035Label(`${path}.categories[${i}]`, c));
  if (names.kind && names.kind === names.listKind)
    errors.push({
      type: 'Invalid',
      field: `${path}.listKind`,
      value: names.listKind,
      detail: 'kind and listKind may not be the same',
    });
  return errors;
}

function validateVersions(versions: CrdVersion[] | undefined): FieldError[] {
  const errors: FieldError[] = [];
  const list = versions ?? [];
  const names = new Set<string>();
  list.forEach((v, i) => {
    const path = `spec.versions[${i}]`;
    errors.push(...dns1035Label(`${path}.name`, v.name ?? ''));
    names.add(v.name);
    const schema = v.schema?.openAPIV3Schema;
    if (!schema)
      errors.push({
        type: 'Required',
        field: `${path}.schema.openAPIV3Schema`,
        detail: 'schemas are required',
      });
    else errors.push(...structuralErrors(schema, `${path}.schema.openAPIV3Schema`));
  });
  if (names.size !== list.length)
    errors.push({
      type: 'Invalid',
      field: 'spec.versions',
      value: list,
      detail: 'must contain unique version names',
    });
  if (list.filter((v) => v.storage).length !== 1)
    errors.push({
      type: 'Invalid',
      field: 'spec.versions',
      value: list,
      detail: 'must have exactly one version marked as storage version',
    });
  return errors;
}

export const crdKind: KindBehaviour = {
  nameRule: 'subdomain',
  defaults(obj) {
    obj.spec ??= {};
    obj.spec.names ??= {};
    const names = obj.spec.names as Partial<CrdNames>;
    if (!names.singular && names.kind) names.singular = names.kind.toLowerCase();
    if (!names.listKind && names.kind) names.listKind = `${names.kind}List`;
    obj.spec.conversion ??= { strategy: 'None' };
  },
  validate(obj, old) {
    const spec = specOf(obj);
    const errors: FieldError[] = [];
    if (obj.metadata.name && obj.metadata.name !== `${spec.names?.plural}.${spec.group}`)
      errors.push({
        type: 'Invalid',
        field: 'metadata.name',
        value: obj.metadata.name,
        detail: 'must be spec.names.plural+"."+spec.group',
      });
    if (!spec.group) errors.push({ type: 'Required', field: 'spec.group' });
    else {
      const bad = dns1123Subdomain('spec.group', spec.group);
      errors.push(...bad);
      if (bad.length === 0 && !spec.group.includes('.'))
        errors.push({
          type: 'Invalid',
          field: 'spec.group',
          value: spec.group,
          detail: 'should be a domain with at least one dot',
        });
    }
    if (!spec.scope) errors.push({ type: 'Required', field: 'spec.scope' });
    else if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster')
      errors.push({
        type: 'NotSupported',
        field: 'spec.scope',
        value: spec.scope,
        detail: 'supported values: "Cluster", "Namespaced"',
      });
    errors.push(...validateVersions(spec.versions), ...validateNames(spec.names ?? {}, 'spec.names'));
    if (old) {
      const before = specOf(old);
      if (before.group !== spec.group)
        errors.push({
          type: 'Invalid',
          field: 'spec.group',
          value: spec.group,
          detail: 'field is immutable',
        });
      if (before.names?.plural !== spec.names?.plural)
        errors.push({
          type: 'Invalid',
          field: 'spec.names.plural',
          value: spec.names?.plural,
          detail: 'field is immutable',
        });
    }
    return errors;
  },
  prepareCreate(obj) {
    const storage = specOf(obj).versions.find((v) => v.storage)?.name;
    obj.status = {
      conditions: [],
      acceptedNames: { plural: '', kind: '' },
      storedVersions: storage ? [storage] : [],
    };
  },
};
