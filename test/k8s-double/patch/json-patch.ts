/** JSON patch (RFC 6902): add, remove, replace, move, copy, test. */
import { ApiError } from '../api/status.js';
import { clone, deepEqual, isPlainObject } from './json.js';

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

const fail = (message: string) => new ApiError(422, 'Invalid', message);

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw fail(`invalid JSON pointer: ${pointer}`);
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

type Container = Record<string, unknown> | unknown[];

function parentOf(doc: unknown, tokens: string[], pointer: string): { parent: Container; key: string } {
  let cursor: unknown = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cursor)) cursor = cursor[Number(t)];
    else if (isPlainObject(cursor)) cursor = cursor[t];
    else cursor = undefined;
    if (cursor === undefined) throw fail(`doc is missing path: "${pointer}": missing value`);
  }
  if (!Array.isArray(cursor) && !isPlainObject(cursor))
    throw fail(`doc is missing path: "${pointer}": missing value`);
  return { parent: cursor, key: tokens[tokens.length - 1]! };
}

function read(doc: unknown, pointer: string): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return doc;
  const { parent, key } = parentOf(doc, tokens, pointer);
  const value = Array.isArray(parent) ? parent[Number(key)] : parent[key];
  if (value === undefined) throw fail(`doc is missing path: "${pointer}": missing value`);
  return value;
}

function remove(doc: unknown, pointer: string): unknown {
  const { parent, key } = parentOf(doc, parsePointer(pointer), pointer);
  if (Array.isArray(parent)) {
    const i = Number(key);
    if (!(i >= 0 && i < parent.length)) throw fail(`doc is missing path: "${pointer}": missing value`);
    return parent.splice(i, 1)[0];
  }
  if (!(key in parent)) throw fail(`doc is missing path: "${pointer}": missing value`);
  const v = parent[key];
  delete parent[key];
  return v;
}

function add(doc: unknown, pointer: string, value: unknown, replace: boolean): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return clone(value);
  const { parent, key } = parentOf(doc, tokens, pointer);
  if (Array.isArray(parent)) {
    const i = key === '-' ? parent.length : Number(key);
    if (!(i >= 0 && i <= parent.length) || (replace && i >= parent.length))
      throw fail(`doc is missing path: "${pointer}": missing value`);
    if (replace) parent[i] = clone(value);
    else parent.splice(i, 0, clone(value));
  } else {
    if (replace && !(key in parent)) throw fail(`doc is missing path: "${pointer}": missing value`);
    parent[key] = clone(value);
  }
  return doc;
}

export function applyJsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new ApiError(400, 'BadRequest', 'json patch must be an array of operations');
  let doc = clone(target);
  for (const raw of ops as Operation[]) {
    switch (raw.op) {
      case 'add':
        doc = add(doc, raw.path, raw.value, false);
        break;
      case 'replace':
        doc = add(doc, raw.path, raw.value, true);
        break;
      case 'remove':
        remove(doc, raw.path);
        break;
      case 'move': {
        const v = remove(doc, raw.from ?? '');
        doc = add(doc, raw.path, v, false);
        break;
      }
      case 'copy':
        doc = add(doc, raw.path, read(doc, raw.from ?? ''), false);
        break;
      case 'test':
        if (!deepEqual(read(doc, raw.path), raw.value))
          throw fail(`testing value ${raw.path} failed: test failed`);
        break;
      default:
        throw new ApiError(400, 'BadRequest', `Unexpected kind: ${raw.op}`);
    }
  }
  return doc;
}
