/**
 * The typed decoding the apiserver does of every object it is sent, with the Kubernetes OpenAPI
 * types as @kubernetes/client-node generates them from the official schema (each model's
 * `attributeTypeMap`): what the Go structs of k8s.io/api would accept.
 * - unknown fields are found (`unknown field "spec.containers[0].imagePullPolice"`, the path form
 *   of sigs.k8s.io/json's strict errors) and dropped, as decoding into a struct drops them;
 * - a value of the wrong JSON type is encoding/json's UnmarshalTypeError: `json: cannot unmarshal
 *   string into Go struct field DeploymentSpec.spec.replicas of type int32`;
 * - `null` is absent (a nil pointer, slice or map is omitted when the object is written back);
 * - resource quantities get their canonical form (quantity.ts), a malformed one the Quantity
 *   decoder's error.
 */
import * as k8s from '@kubernetes/client-node';
import { canonicalQuantity } from './quantity.js';

interface Attribute {
  name: string;
  baseName: string;
  type: string;
  format: string;
}

type Model = { getAttributeTypeMap(): Attribute[] };

const modelCache = new Map<string, Map<string, Attribute> | undefined>();

function attributesOf(type: string): Map<string, Attribute> | undefined {
  if (modelCache.has(type)) return modelCache.get(type);
  const model = (k8s as unknown as Record<string, Model | undefined>)[type];
  const attrs =
    typeof model?.getAttributeTypeMap === 'function'
      ? new Map(model.getAttributeTypeMap().map((a) => [a.baseName, a]))
      : undefined;
  modelCache.set(type, attrs);
  return attrs;
}

/** The model of a kind served by the double (`V1Deployment`), when client-node has one. */
export function modelForKind(kind: string): string | undefined {
  return attributesOf(`V1${kind}`) ? `V1${kind}` : undefined;
}

/** Fields whose values are resource.Quantity (maps of them, or one). */
const quantityFields: Record<string, readonly string[]> = {
  V1ResourceRequirements: ['limits', 'requests'],
  V1VolumeResourceRequirements: ['limits', 'requests'],
  V1ResourceQuotaSpec: ['hard'],
  V1ResourceQuotaStatus: ['hard', 'used'],
  V1LimitRangeItem: ['default', 'defaultRequest', 'max', 'min', 'maxLimitRequestRatio'],
  V1EmptyDirVolumeSource: ['sizeLimit'],
  V1PodSpec: ['overhead'],
  V1PersistentVolumeClaimStatus: ['capacity', 'allocatedResources'],
  V1NodeStatus: ['capacity', 'allocatable'],
};

/** The Quantity decoder's error for a malformed value (resource.ErrFormatWrong). */
export const QUANTITY_FORMAT_ERROR =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

export interface DecodeFindings {
  /** `unknown field "<path>"` texts, in document order. */
  unknown: string[];
  /** The first type error (Go's decoder stops reporting after it). */
  typeError?: string;
}

const jsonType = (v: unknown) =>
  Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v === 'boolean' ? 'bool' : typeof v;

/** Go's type name for a client-node attribute type, as UnmarshalTypeError prints it. */
function goType(type: string, format: string): string {
  if (type === 'string') return 'string';
  if (type === 'boolean') return 'bool';
  if (type === 'number') return format === 'int32' ? 'int32' : format === 'int64' ? 'int64' : 'float64';
  if (type.startsWith('Array<')) return `[]${goType(type.slice(6, -1), '')}`;
  if (type.startsWith('{ [key: string]: ')) return `map[string]${goType(type.slice(17, -3), '')}`;
  if (type.startsWith('V1')) return `v1.${type.slice(2)}`;
  return type;
}

const structName = (type: string) => (type.startsWith('V1') ? type.slice(2) : type);

interface Walk {
  findings: DecodeFindings;
  /** Drop unknown fields and nulls, canonicalise quantities (false: only look). */
  rewrite: boolean;
  /** Keys starting with `$` are strategic-merge directives, not fields. */
  patch: boolean;
}

/** JSON path as sigs.k8s.io/json prints it: `spec.containers[0].name`. */
const join = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);

function typeMismatch(
  w: Walk,
  value: unknown,
  struct: string,
  fieldPath: string,
  type: string,
  format: string,
) {
  if (w.findings.typeError !== undefined) return;
  const what = typeof value === 'number' && !Number.isInteger(value) ? `number ${value}` : jsonType(value);
  // Go's Field path has no list indices.
  const field = fieldPath.replace(/\[\d+\]/g, '');
  w.findings.typeError = `json: cannot unmarshal ${what} into Go struct field ${struct}.${field} of type ${goType(type, format)}`;
}

function walkValue(
  w: Walk,
  value: unknown,
  type: string,
  format: string,
  ctx: { struct: string; path: string; quantity: boolean },
): unknown {
  if (value === null || value === undefined) return value;
  const mismatch = () => {
    typeMismatch(w, value, ctx.struct, ctx.path, type, format);
    return value;
  };
  if (ctx.quantity && (type === 'string' || type === 'IntOrString')) {
    if (typeof value !== 'string' && typeof value !== 'number') return mismatch();
    const canonical = canonicalQuantity(value);
    if (canonical === undefined) {
      if (w.findings.typeError === undefined) w.findings.typeError = QUANTITY_FORMAT_ERROR;
      return value;
    }
    return w.rewrite ? canonical : value;
  }
  switch (true) {
    case type === 'any':
      return value;
    case type === 'string':
      return typeof value === 'string' ? value : mismatch();
    case type === 'Date':
      return typeof value === 'string' ? value : mismatch();
    case type === 'boolean':
      return typeof value === 'boolean' ? value : mismatch();
    case type === 'number':
      if (typeof value !== 'number') return mismatch();
      if ((format === 'int32' || format === 'int64') && !Number.isInteger(value)) return mismatch();
      return value;
    case type === 'IntOrString':
      return typeof value === 'string' || typeof value === 'number' ? value : mismatch();
    case type.startsWith('Array<'): {
      if (!Array.isArray(value)) return mismatch();
      const item = type.slice(6, -1);
      return value.map((v, i) =>
        walkValue(w, v, item, '', { ...ctx, path: `${ctx.path}[${i}]`, quantity: false }),
      );
    }
    case type.startsWith('{ [key: string]: '): {
      if (typeof value !== 'object' || Array.isArray(value)) return mismatch();
      const item = type.slice(17, -3);
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (v === null && w.rewrite && !w.patch) continue;
        out[k] = walkValue(w, v, item, '', { ...ctx, path: join(ctx.path, k), quantity: ctx.quantity });
      }
      return w.rewrite ? out : value;
    }
    default:
      return walkModel(w, value, type, ctx);
  }
}

function walkModel(w: Walk, value: unknown, type: string, ctx: { struct: string; path: string }): unknown {
  const attrs = attributesOf(type);
  if (!attrs) return value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    typeMismatch(w, value, ctx.struct, ctx.path, type, '');
    return value;
  }
  const out: Record<string, unknown> = {};
  const quantities = new Set(quantityFields[type] ?? []);
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (w.patch && key.startsWith('$')) {
      out[key] = v;
      continue;
    }
    const attr = attrs.get(key);
    const path = join(ctx.path, key);
    if (!attr) {
      w.findings.unknown.push(`unknown field "${path}"`);
      if (!w.rewrite) out[key] = v;
      continue;
    }
    if (v === null && w.rewrite && !w.patch) continue;
    out[key] = walkValue(w, v, attr.type, attr.format, {
      struct: structName(type),
      path,
      quantity: quantities.has(key),
    });
  }
  return w.rewrite ? out : value;
}

/**
 * Decodes `object` as `model`: the findings, and (rewrite) the object as the apiserver stores it.
 * `patch`: a merge/strategic patch body (nulls delete, `$` keys are directives): only looked at.
 */
export function decodeObject(
  object: unknown,
  model: string,
  opts: { rewrite: boolean; patch?: boolean },
): { value: unknown; findings: DecodeFindings } {
  const findings: DecodeFindings = { unknown: [] };
  const w: Walk = { findings, rewrite: opts.rewrite && !opts.patch, patch: opts.patch === true };
  const value = walkModel(w, object, model, { struct: structName(model), path: '' });
  return { value, findings };
}
