/**
 * Kubernetes `Status` failure bodies and the one error class the double throws for them.
 * Every HTTP error the double returns goes through here, so the wire shape is in one place.
 */

export type StatusReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'BadRequest'
  | 'Forbidden'
  | 'Unauthorized'
  | 'MethodNotAllowed'
  | 'UnsupportedMediaType'
  | 'Expired'
  | 'Gone'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'TooManyRequests'
  | 'Timeout';

export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): StatusBody {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

/** What identifies an object in messages: plural resource name, API group, object name. */
export interface Target {
  plural: string;
  group: string;
  kind: string;
  name: string;
}

const details = (t: Target, extra: Partial<StatusDetails> = {}): StatusDetails => ({
  name: t.name,
  ...(t.group ? { group: t.group } : {}),
  kind: t.plural,
  ...extra,
});

const qualified = (t: Target) => (t.group ? `${t.plural}.${t.group}` : t.plural);

export const notFound = (t: Target) =>
  new ApiError(404, 'NotFound', `${qualified(t)} "${t.name}" not found`, details(t));

export const alreadyExists = (t: Target) =>
  new ApiError(409, 'AlreadyExists', `${qualified(t)} "${t.name}" already exists`, details(t));

export const conflict = (t: Target) =>
  new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified(t)} "${t.name}": the object has been modified; please apply your changes to the latest version and try again`,
    details(t),
  );

export const badRequest = (message: string) => new ApiError(400, 'BadRequest', message);

export const forbidden = (t: Target, why: string) =>
  new ApiError(403, 'Forbidden', `${qualified(t)} "${t.name}" is forbidden: ${why}`, details(t));

export const unauthorized = () => new ApiError(401, 'Unauthorized', 'Unauthorized');

export const methodNotAllowed = (method: string) =>
  new ApiError(
    405,
    'MethodNotAllowed',
    `the server does not allow this method on the requested resource (${method})`,
  );

export const unsupportedMediaType = (contentType: string) =>
  new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got ${contentType || 'none'})`,
  );

export const expired = (requested: number, oldest: number) =>
  new ApiError(410, 'Expired', `too old resource version: ${requested} (${oldest})`);

/** A field error as the apiserver words it (`field.ErrorList`). */
export interface FieldError {
  type: 'Required' | 'Invalid' | 'Duplicate' | 'Forbidden' | 'TooLong' | 'NotSupported' | 'NotFound';
  field: string;
  value?: unknown;
  detail?: string;
}

const causeReason: Record<FieldError['type'], string> = {
  Required: 'FieldValueRequired',
  Invalid: 'FieldValueInvalid',
  Duplicate: 'FieldValueDuplicate',
  Forbidden: 'FieldValueForbidden',
  TooLong: 'FieldValueTooLong',
  NotSupported: 'FieldValueNotSupported',
  NotFound: 'FieldValueNotFound',
};

const typeText: Record<FieldError['type'], string> = {
  Required: 'Required value',
  Invalid: 'Invalid value',
  Duplicate: 'Duplicate value',
  Forbidden: 'Forbidden',
  TooLong: 'Too long',
  NotSupported: 'Unsupported value',
  NotFound: 'Not found',
};

function describeFieldError(e: FieldError): string {
  let text = typeText[e.type];
  if (['Invalid', 'Duplicate', 'NotSupported', 'NotFound'].includes(e.type) && e.value !== undefined) {
    text += `: ${JSON.stringify(e.value)}`;
  }
  return e.detail ? `${text}: ${e.detail}` : text;
}

/** 422 Invalid with one cause per field error, message formatted like `field.ErrorList.ToAggregate()`. */
export function invalid(kind: string, name: string, group: string, errors: FieldError[]): ApiError {
  const parts = errors.map((e) => `${e.field}: ${describeFieldError(e)}`);
  const summary = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  // errors.NewInvalid prints the GroupKind: `Deployment.apps "x" is invalid` (core kinds bare).
  const groupKind = group ? `${kind}.${group}` : kind;
  return new ApiError(422, 'Invalid', `${groupKind} "${name}" is invalid: ${summary}`, {
    name,
    ...(group ? { group } : {}),
    kind,
    causes: errors.map((e) => ({
      reason: causeReason[e.type],
      message: describeFieldError(e),
      field: e.field,
    })),
  });
}
