import { ApiErrors, FerryError } from '@ferry/shared';
import type { FastifySchemaValidationError } from 'fastify';

const partNames: Readonly<Record<string, string>> = {
  body: 'body field',
  querystring: 'query parameter',
  params: 'path parameter',
  headers: 'header',
};

/** Caps what a caller sent before it goes back in a message (JSON encoding escapes the rest). */
function shown(value: unknown): string {
  return String(value).slice(0, 100);
}

function explain(
  errors: readonly FastifySchemaValidationError[],
  dataVar: string,
): { reason: string; field?: string } {
  const part = partNames[dataVar] ?? dataVar;
  const unknownKey = errors.find((e) => e.keyword === 'propertyNames');
  if (unknownKey !== undefined) {
    const field = shown(unknownKey.params.propertyName);
    return { reason: `unknown ${part} "${field}"`, field };
  }
  const first = errors[0];
  if (first === undefined) return { reason: `${dataVar} is invalid` };
  if (first.keyword === 'required' && typeof first.params.missingProperty === 'string') {
    const field = first.params.missingProperty;
    return { reason: `${part} "${field}" is required`, field };
  }
  const allowed = first.keyword === 'enum' ? first.params.allowedValues : undefined;
  const message = Array.isArray(allowed)
    ? `must be one of ${allowed.join(', ')}`
    : (first.message ?? 'is invalid');
  const field = first.instancePath.replace(/^\//, '').replaceAll('/', '.');
  return field === ''
    ? { reason: `${dataVar} ${message}` }
    : { reason: `${part} ${field} ${message}`, field };
}

/**
 * Fastify's schema error formatter for the API: every bad input answers 400
 * FERRY_ERR_API_INVALID_INPUT naming the field (never a 5xx, never a silently dropped key).
 */
export function invalidInput(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const { reason, field } = explain(errors, dataVar);
  return new FerryError(
    ApiErrors.API_INVALID_INPUT,
    { reason },
    { details: field === undefined ? { in: dataVar } : { in: dataVar, field } },
  );
}
