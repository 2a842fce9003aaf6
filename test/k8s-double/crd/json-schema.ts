/**
 * The part of apiextensions.k8s.io/v1 JSONSchemaProps the double acts on (the CRD's
 * `openAPIV3Schema`), as the apiserver reads it: types, properties, maps (additionalProperties),
 * lists (items), required, enum, nullable and the Kubernetes extensions that change pruning and
 * typing. Other keywords (pattern, format, minimum, …) are stored but not enforced by the double.
 */
export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  required?: string[];
  enum?: unknown[];
  nullable?: boolean;
  default?: unknown;
  description?: string;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
}

/** The schema of a map's values, when the schema is a map (additionalProperties with a schema). */
export function mapValues(s: JsonSchema): JsonSchema | undefined {
  return typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
}

/** Unknown fields under this node are kept (x-kubernetes-preserve-unknown-fields, or a map of anything). */
export const preservesUnknown = (s: JsonSchema) =>
  s['x-kubernetes-preserve-unknown-fields'] === true || s.additionalProperties === true;
