/**
 * What the apiserver does to a custom resource with its CRD version's structural schema
 * (k8s.io/apiextensions-apiserver v1.31):
 * - pruning (pkg/apiserver/schema/pruning/algorithm.go): fields the schema does not declare are
 *   dropped, except under x-kubernetes-preserve-unknown-fields or a map of anything; at the root
 *   and in x-kubernetes-embedded-resource objects apiVersion, kind and metadata are kept. The
 *   dropped paths are the `unknown field "spec.foo"` texts of field validation (customresource
 *   handler: `Warn` answers them as warnings, `Strict` refuses the request with a 400). Docs:
 *   https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#field-pruning
 * - nulls of fields that are not `nullable` are dropped before validation
 *   (pkg/apiserver/schema/defaulting/prunenulls.go; docs: "Defaulting and Nullable");
 * - validation against the schema (k8s.io/kube-openapi pkg/validation/validate, turned into field
 *   errors by pkg/apiserver/validation/validation.go kubeOpenAPIResultToFieldErrors): a value of
 *   the wrong type is `<path>: Invalid value: "<its type>": <path> in body must be of type <type>:
 *   "<its type>"`, a missing required field `<path>: Required value`, a value outside `enum`
 *   `<path>: Unsupported value: <v>: supported values: …`. The object is refused with 422 Invalid.
 */
import type { FieldError } from '../api/status.js';
import { decodeObject } from '../decoding/schema.js';
import { type JsonSchema, mapValues, preservesUnknown } from './json-schema.js';

const join = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export interface Pruned {
  value: unknown;
  /** `unknown field "<path>"` texts, in document order. */
  unknown: string[];
}

/**
 * Prunes `object` (a whole custom resource, or a merge patch of one: `patch` keeps nulls, which
 * delete) by its schema. metadata is decoded as ObjectMeta, its unknown fields reported too.
 */
export function pruneCustomObject(schema: JsonSchema, object: unknown, patch = false): Pruned {
  const unknown: string[] = [];
  const value = pruneNode(schema, object, '', { unknown, patch }, true);
  return { value, unknown };
}

interface PruneState {
  unknown: string[];
  patch: boolean;
}

function pruneNode(s: JsonSchema, value: unknown, path: string, st: PruneState, resource: boolean): unknown {
  if (Array.isArray(value)) {
    if (!s.items) return value;
    const items = s.items;
    return value.map((v, i) => pruneNode(items, v, `${path}[${i}]`, st, false));
  }
  if (!isObject(value)) return value;
  const embedded = resource || s['x-kubernetes-embedded-resource'] === true;
  const values = mapValues(s);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const at = join(path, key);
    if (embedded && (key === 'apiVersion' || key === 'kind')) {
      out[key] = v;
      continue;
    }
    if (embedded && key === 'metadata') {
      out[key] = pruneMetadata(v, at, st);
      continue;
    }
    const child = s.properties?.[key] ?? values;
    if (v === null && !st.patch && !(child?.nullable ?? preservesUnknown(s))) continue;
    if (child) out[key] = pruneNode(child, v, at, st, false);
    else if (preservesUnknown(s)) out[key] = v;
    else st.unknown.push(`unknown field "${at}"`);
  }
  return out;
}

/** metadata as the typed ObjectMeta decoder sees it (schemaobjectmeta.Coerce drops unknown fields). */
function pruneMetadata(value: unknown, path: string, st: PruneState): unknown {
  const { value: meta, findings } = decodeObject(value, 'V1ObjectMeta', { rewrite: true, patch: st.patch });
  for (const u of findings.unknown) st.unknown.push(u.replace('unknown field "', `unknown field "${path}.`));
  return st.patch ? value : meta;
}

/** The JSON type kube-openapi names in its errors. */
function jsonTypeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(s: JsonSchema, v: unknown): boolean {
  if (s['x-kubernetes-int-or-string'] === true) return typeof v === 'string' || Number.isInteger(v);
  if (v === null) return s.nullable === true;
  if (!s.type) return true;
  const actual = jsonTypeOf(v);
  return actual === s.type || (s.type === 'number' && actual === 'integer');
}

/** Field errors of a pruned custom resource against its schema (metadata is checked elsewhere). */
export function validateCustomObject(schema: JsonSchema, object: unknown): FieldError[] {
  const errors: FieldError[] = [];
  validateNode(schema, object, '', errors, true);
  return errors;
}

function validateNode(s: JsonSchema, v: unknown, path: string, errors: FieldError[], root: boolean): void {
  if (!root && !typeMatches(s, v)) {
    const type = s['x-kubernetes-int-or-string'] ? 'integer,string' : (s.type ?? '');
    const actual = jsonTypeOf(v);
    errors.push({
      type: 'Invalid',
      field: path,
      value: actual,
      detail: `${path} in body must be of type ${type}: "${actual}"`,
    });
    return;
  }
  if (s.enum && v !== null && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(v)))
    errors.push({
      type: 'NotSupported',
      field: path,
      value: v,
      detail: `supported values: ${s.enum.map((e) => JSON.stringify(e)).join(', ')}`,
    });
  if (Array.isArray(v) && s.items) {
    const items = s.items;
    for (const [i, item] of v.entries()) validateNode(items, item, `${path}[${i}]`, errors, false);
  }
  if (!isObject(v)) return;
  for (const name of s.required ?? [])
    if (v[name] === undefined) errors.push({ type: 'Required', field: join(path, name) });
  const values = mapValues(s);
  for (const [key, child] of Object.entries(v)) {
    if (root && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) continue;
    const childSchema = s.properties?.[key] ?? values;
    if (childSchema) validateNode(childSchema, child, join(path, key), errors, false);
  }
}
