/**
 * Checks that a CRD version's `openAPIV3Schema` is structural, as apiextensions.k8s.io/v1 demands
 * (a non-structural schema is refused on create). Rules and texts from kube-apiserver v1.31:
 * - k8s.io/apiextensions-apiserver pkg/apiserver/schema/validation.go (validateStructuralInvariants,
 *   validateStructuralCompleteness): a `type` at every level unless x-kubernetes-int-or-string
 *   or x-kubernetes-preserve-unknown-fields says otherwise
 *   ("must not be empty at the root" / "for specified object fields" / "for specified array items"),
 *   `object` at the root ("must be object at the root"), no `type` beside x-kubernetes-int-or-string;
 * - pkg/apis/apiextensions/validation/validation.go (ValidateCustomResourceDefinitionOpenAPISchema):
 *   a known type (string, number, integer, boolean, array, object), `items` on an array
 *   ("must be specified"), and properties and additionalProperties mutually exclusive.
 * Docs: https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#specifying-a-structural-schema
 */
import type { FieldError } from '../api/status.js';
import { type JsonSchema, mapValues } from './json-schema.js';

const types = ['array', 'boolean', 'integer', 'number', 'object', 'string'];

type Level = 'root' | 'field' | 'item';

const emptyType: Record<Level, string> = {
  root: 'must not be empty at the root',
  field: 'must not be empty for specified object fields',
  item: 'must not be empty for specified array items',
};

export function structuralErrors(schema: JsonSchema, path: string): FieldError[] {
  const errors: FieldError[] = [];
  walk(schema, path, 'root', errors);
  return errors;
}

function walk(s: JsonSchema, path: string, level: Level, errors: FieldError[]): void {
  const intOrString = s['x-kubernetes-int-or-string'] === true;
  const untyped = intOrString || s['x-kubernetes-preserve-unknown-fields'] === true;
  if (!s.type && !untyped) errors.push({ type: 'Required', field: `${path}.type`, detail: emptyType[level] });
  if (s.type && !types.includes(s.type))
    errors.push({
      type: 'NotSupported',
      field: `${path}.type`,
      value: s.type,
      detail: `supported values: ${types.map((t) => `"${t}"`).join(', ')}`,
    });
  if (level === 'root' && s.type && s.type !== 'object')
    errors.push({
      type: 'Invalid',
      field: `${path}.type`,
      value: s.type,
      detail: 'must be object at the root',
    });
  if (intOrString && s.type)
    errors.push({
      type: 'Invalid',
      field: `${path}.type`,
      value: s.type,
      detail: 'must be empty if x-kubernetes-int-or-string is true',
    });
  if (s.type === 'array' && s.items === undefined)
    errors.push({ type: 'Required', field: `${path}.items`, detail: 'must be specified' });
  if (s.properties && Object.keys(s.properties).length > 0 && s.additionalProperties !== undefined)
    errors.push({
      type: 'Forbidden',
      field: `${path}.additionalProperties`,
      detail: 'additionalProperties and properties are mutual exclusive',
    });
  for (const [name, p] of Object.entries(s.properties ?? {}))
    walk(p, `${path}.properties[${name}]`, 'field', errors);
  const values = mapValues(s);
  if (values) walk(values, `${path}.additionalProperties`, 'field', errors);
  if (s.items) walk(s.items, `${path}.items`, 'item', errors);
}
