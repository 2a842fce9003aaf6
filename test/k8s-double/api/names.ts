/** Name, label and annotation rules, with the apiserver's own error texts. */
import type { FieldError } from './status.js';

const dns1123LabelRe = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1123SubdomainRe = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const dns1035LabelRe = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const qualifiedNameRe = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const labelValueRe = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export const LABEL_MAX = 63;
export const SUBDOMAIN_MAX = 253;

export function dns1123Label(field: string, value: string): FieldError[] {
  const errors: FieldError[] = [];
  if (value.length > LABEL_MAX) {
    errors.push({ type: 'Invalid', field, value, detail: `must be no more than ${LABEL_MAX} characters` });
  }
  if (!dns1123LabelRe.test(value)) {
    errors.push({
      type: 'Invalid',
      field,
      value,
      detail:
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    });
  }
  return errors;
}

export function dns1123Subdomain(field: string, value: string): FieldError[] {
  const errors: FieldError[] = [];
  if (value.length > SUBDOMAIN_MAX) {
    errors.push({
      type: 'Invalid',
      field,
      value,
      detail: `must be no more than ${SUBDOMAIN_MAX} characters`,
    });
  }
  if (!dns1123SubdomainRe.test(value)) {
    errors.push({
      type: 'Invalid',
      field,
      value,
      detail:
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    });
  }
  return errors;
}

export function dns1035Label(field: string, value: string): FieldError[] {
  const errors: FieldError[] = [];
  if (value.length > LABEL_MAX) {
    errors.push({ type: 'Invalid', field, value, detail: `must be no more than ${LABEL_MAX} characters` });
  }
  if (!dns1035LabelRe.test(value)) {
    errors.push({
      type: 'Invalid',
      field,
      value,
      detail:
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    });
  }
  return errors;
}

/** A label or annotation key: optional DNS subdomain prefix, then a name of at most 63 characters. */
export function qualifiedName(field: string, key: string): FieldError[] {
  const parts = key.split('/');
  const name = parts.length === 2 ? parts[1]! : parts[0]!;
  const errors: FieldError[] = [];
  if (parts.length > 2) {
    errors.push({
      type: 'Invalid',
      field,
      value: key,
      detail:
        "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    });
    return errors;
  }
  if (parts.length === 2) {
    const prefix = parts[0]!;
    if (prefix.length === 0)
      errors.push({ type: 'Invalid', field, value: key, detail: 'prefix part must be non-empty' });
    else
      errors.push(
        ...dns1123Subdomain(field, prefix).map((e) => ({
          ...e,
          value: key,
          detail: `prefix part ${e.detail}`,
        })),
      );
  }
  if (name.length === 0)
    errors.push({ type: 'Invalid', field, value: key, detail: 'name part must be non-empty' });
  else if (name.length > LABEL_MAX)
    errors.push({
      type: 'Invalid',
      field,
      value: key,
      detail: `name part must be no more than ${LABEL_MAX} characters`,
    });
  if (name.length > 0 && !qualifiedNameRe.test(name)) {
    errors.push({
      type: 'Invalid',
      field,
      value: key,
      detail:
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    });
  }
  return errors;
}

export function labelValue(field: string, value: string): FieldError[] {
  const errors: FieldError[] = [];
  if (value.length > LABEL_MAX)
    errors.push({ type: 'Invalid', field, value, detail: `must be no more than ${LABEL_MAX} characters` });
  if (!labelValueRe.test(value)) {
    errors.push({
      type: 'Invalid',
      field,
      value,
      detail:
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    });
  }
  return errors;
}

export function labels(field: string, map: unknown): FieldError[] {
  if (map === undefined || map === null) return [];
  if (typeof map !== 'object' || Array.isArray(map))
    return [{ type: 'Invalid', field, value: map, detail: 'must be a map of strings' }];
  const errors: FieldError[] = [];
  for (const [k, v] of Object.entries(map as Record<string, unknown>)) {
    errors.push(...qualifiedName(field, k));
    if (typeof v !== 'string')
      errors.push({ type: 'Invalid', field: `${field}[${k}]`, value: v, detail: 'must be a string' });
    else errors.push(...labelValue(`${field}`, v));
  }
  return errors;
}

const ANNOTATIONS_MAX_BYTES = 256 * 1024;

export function annotations(field: string, map: unknown): FieldError[] {
  if (map === undefined || map === null) return [];
  if (typeof map !== 'object' || Array.isArray(map))
    return [{ type: 'Invalid', field, value: map, detail: 'must be a map of strings' }];
  const errors: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(map as Record<string, unknown>)) {
    errors.push(...qualifiedName(field, k));
    size += k.length + (typeof v === 'string' ? v.length : 0);
  }
  if (size > ANNOTATIONS_MAX_BYTES)
    errors.push({ type: 'TooLong', field, detail: `must have at most ${ANNOTATIONS_MAX_BYTES} bytes` });
  return errors;
}
