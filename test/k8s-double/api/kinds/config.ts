/** Secrets and ConfigMaps: key rules, base64 data, `stringData`, `immutable`. */
import type { KubeObject } from '../../types.js';
import type { FieldError } from '../status.js';
import type { KindBehaviour } from './kind.js';

const keyRe = /^[-._a-zA-Z0-9]+$/;
const base64Re = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function validateKeys(field: string, map: Record<string, unknown> | undefined): FieldError[] {
  const errors: FieldError[] = [];
  for (const key of Object.keys(map ?? {})) {
    if (!keyRe.test(key) || key.length > 253) {
      errors.push({
        type: 'Invalid',
        field: `${field}[${key}]`,
        value: key,
        detail:
          "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
      });
    }
  }
  return errors;
}

function immutableErrors(obj: KubeObject, old: KubeObject | undefined, fields: string[]): FieldError[] {
  if (!old?.immutable) return [];
  const errors: FieldError[] = [];
  if (obj.immutable !== true)
    errors.push({
      type: 'Forbidden',
      field: 'immutable',
      detail: 'field is immutable when `immutable` is set',
    });
  for (const f of fields) {
    if (JSON.stringify(obj[f] ?? {}) !== JSON.stringify(old[f] ?? {})) {
      errors.push({ type: 'Forbidden', field: f, detail: 'field is immutable when `immutable` is set' });
    }
  }
  return errors;
}

const requiredKeys: Record<string, string> = {
  'kubernetes.io/dockerconfigjson': '.dockerconfigjson',
  'kubernetes.io/dockercfg': '.dockercfg',
};

export const secretKind: KindBehaviour = {
  nameRule: 'subdomain',
  defaults(obj) {
    obj.type ??= 'Opaque';
    if (obj.stringData && typeof obj.stringData === 'object') {
      obj.data ??= {};
      for (const [k, v] of Object.entries(obj.stringData as Record<string, string>)) {
        obj.data[k] = Buffer.from(String(v)).toString('base64');
      }
      delete obj.stringData;
    }
  },
  validate(obj, old) {
    const errors = validateKeys('data', obj.data);
    for (const [k, v] of Object.entries((obj.data ?? {}) as Record<string, unknown>)) {
      if (typeof v !== 'string' || !base64Re.test(v)) {
        errors.push({
          type: 'Invalid',
          field: `data[${k}]`,
          value: '<secret contents redacted>',
          detail: 'illegal base64 data',
        });
      }
    }
    const required = requiredKeys[obj.type];
    if (required && obj.data?.[required] === undefined)
      errors.push({ type: 'Required', field: `data[${required}]` });
    if (old && old.type !== obj.type)
      errors.push({ type: 'Invalid', field: 'type', value: obj.type, detail: 'field is immutable' });
    errors.push(...immutableErrors(obj, old, ['data']));
    return errors;
  },
};

export const configMapKind: KindBehaviour = {
  nameRule: 'subdomain',
  validate(obj, old) {
    const errors = [...validateKeys('data', obj.data), ...validateKeys('binaryData', obj.binaryData)];
    for (const key of Object.keys(obj.data ?? {})) {
      if (obj.binaryData?.[key] !== undefined)
        errors.push({
          type: 'Invalid',
          field: 'data',
          value: key,
          detail: 'duplicate of key present in binaryData',
        });
    }
    errors.push(...immutableErrors(obj, old, ['data', 'binaryData']));
    return errors;
  },
};
