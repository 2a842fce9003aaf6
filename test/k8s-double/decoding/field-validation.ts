/**
 * Server-side field validation (`fieldValidation` query parameter, KEP-2885; GA in v1.27):
 * - `Warn` (the default when the client says nothing) decodes, drops unknown fields and returns
 *   each as a `Warning` header (`unknown field "spec.foo"`);
 * - `Strict` refuses them: 400 BadRequest `<Kind> in version "<v>" cannot be handled as a <Kind>:
 *   strict decoding error: unknown field "spec.foo", unknown field "spec.bar"`
 *   (apiserver endpoints/handlers/rest.go transformDecodeError over runtime.NewStrictDecodingError);
 * - `Ignore` drops them silently;
 * - any other value: 422 `<CreateOptions|UpdateOptions|PatchOptions>.meta.k8s.io "" is invalid:
 *   fieldValidation: Unsupported value: "<v>": supported values: "", "Ignore", "Strict", "Warn"`.
 * A value of the wrong type is a 400 whatever the directive (the typed decode fails).
 * Custom resources (a CRD's kind) are decoded as unstructured objects and pruned by the CRD's
 * schema instead (crd/custom-object.ts): the pruned paths are the unknown fields, and a value of
 * the wrong type is not a decoding error but a 422 from the schema validation.
 */
import type { ResourceDef } from '../api/resources.js';
import { ApiError, badRequest } from '../api/status.js';
import { pruneCustomObject } from '../crd/custom-object.js';
import { decodeObject, modelForKind } from './schema.js';

export type Directive = 'Ignore' | 'Warn' | 'Strict';
export type WriteVerb = 'create' | 'update' | 'patch';

const optionsKind: Record<WriteVerb, string> = {
  create: 'CreateOptions',
  update: 'UpdateOptions',
  patch: 'PatchOptions',
};

export function directiveOf(url: URL, verb: WriteVerb): Directive {
  const raw = url.searchParams.get('fieldValidation');
  if (raw === null || raw === '') return 'Warn';
  if (raw === 'Ignore' || raw === 'Warn' || raw === 'Strict') return raw;
  throw new ApiError(
    422,
    'Invalid',
    `${optionsKind[verb]}.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: ${JSON.stringify(raw)}: supported values: "", "Ignore", "Strict", "Warn"`,
  );
}

const cannotHandle = (def: ResourceDef, why: string) =>
  badRequest(`${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: ${why}`);

/**
 * Checks a request body (an object, an apply configuration, or a merge/strategic patch) against
 * the kind's schema: throws the 400s, returns the warnings for `Warn`.
 */
export function validateFields(
  def: ResourceDef,
  body: unknown,
  directive: Directive,
  patch: boolean,
): string[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return [];
  const unknown = unknownFields(def, body, patch);
  if (unknown.length === 0 || directive === 'Ignore') return [];
  if (directive === 'Strict') throw cannotHandle(def, `strict decoding error: ${unknown.join(', ')}`);
  return unknown;
}

function unknownFields(def: ResourceDef, body: object, patch: boolean): string[] {
  if (def.custom) return pruneCustomObject(def.custom.schema, body, patch).unknown;
  const model = modelForKind(def.kind);
  if (model === undefined) return [];
  const { findings } = decodeObject(body, model, { rewrite: false, patch });
  if (findings.typeError !== undefined) throw cannotHandle(def, findings.typeError);
  return findings.unknown;
}

/** The object as the apiserver stores it: unknown fields and nulls gone, quantities canonical. */
export function normalizeObject<T>(def: ResourceDef, object: T): T {
  if (def.custom) return pruneCustomObject(def.custom.schema, object).value as T;
  const model = modelForKind(def.kind);
  if (model === undefined) return object;
  const { value, findings } = decodeObject(object, model, { rewrite: true });
  if (findings.typeError !== undefined) throw cannotHandle(def, findings.typeError);
  return value as T;
}
