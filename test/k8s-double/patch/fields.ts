/**
 * Field sets as server-side apply tracks them. A path is a list of FieldsV1 elements:
 * `f:<field>`, `k:<json key>` for an item of a keyed list, and `.` for the item itself.
 * Sets hold leaves and item markers; `toFieldsV1`/`fromFieldsV1` convert to the wire form.
 */
import type { JsonObject } from '../types.js';
import { isPlainObject, type Plain } from './json.js';
import { keyOf, mergeKeyFor, sameKey } from './merge-keys.js';

export type FieldSet = Set<string>;
export type Path = string[];

const enc = (p: Path) => JSON.stringify(p);
export const decode = (s: string): Path => JSON.parse(s) as Path;

/** Parts of metadata that apply and updates track; the rest is the server's. */
const trackedMetadata = ['labels', 'annotations', 'ownerReferences', 'finalizers'];
/** Structs that are atomic in the schema: owned as a whole. */
const atomicStructs = new Set(['selector']);

function walk(value: Plain, path: Path, set: FieldSet): void {
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    const p = [...path, `f:${k}`];
    if (isPlainObject(v) && Object.keys(v).length > 0 && !atomicStructs.has(k)) {
      walk(v, p, set);
      continue;
    }
    const keys = Array.isArray(v) && v.length > 0 ? mergeKeyFor(k, v) : undefined;
    if (keys && Array.isArray(v)) {
      for (const item of v) {
        if (!isPlainObject(item)) continue;
        const ip = [...p, `k:${JSON.stringify(keyOf(item, keys))}`];
        set.add(enc([...ip, '.']));
        walk(item, ip, set);
      }
      continue;
    }
    set.add(enc(p));
  }
}

/** The fields an object (or an applied configuration) sets. */
export function fieldSetOf(obj: Plain): FieldSet {
  const set: FieldSet = new Set();
  const top: Plain = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k !== 'apiVersion' && k !== 'kind' && k !== 'metadata' && k !== 'status') top[k] = v;
  }
  const meta = isPlainObject(obj.metadata) ? obj.metadata : {};
  const trackedMeta: Plain = {};
  for (const k of trackedMetadata) if (meta[k] !== undefined) trackedMeta[k] = meta[k];
  if (Object.keys(trackedMeta).length > 0) walk(trackedMeta, ['f:metadata'], set);
  walk(top, [], set);
  return set;
}

export function toFieldsV1(set: FieldSet): JsonObject {
  const root: JsonObject = {};
  for (const s of set) {
    let node = root;
    for (const el of decode(s)) {
      node[el] ??= {};
      node = node[el] as JsonObject;
    }
  }
  return root;
}

export function fromFieldsV1(v1: unknown): FieldSet {
  const set: FieldSet = new Set();
  const visit = (node: unknown, path: Path) => {
    if (!isPlainObject(node)) return;
    const children = Object.keys(node);
    if (children.length === 0 && path.length > 0) set.add(enc(path));
    for (const c of children) visit(node[c], [...path, c]);
  };
  visit(v1, []);
  return set;
}

function step(cursor: unknown, el: string): unknown {
  if (el === '.') return cursor;
  if (el.startsWith('f:')) return isPlainObject(cursor) ? cursor[el.slice(2)] : undefined;
  if (el.startsWith('k:') && Array.isArray(cursor)) {
    const key = JSON.parse(el.slice(2)) as Plain;
    return cursor.find((item) => sameKey(item, key, Object.keys(key)));
  }
  return undefined;
}

/** The value at a path, or undefined. */
export function getAt(obj: unknown, path: Path): unknown {
  let cursor = obj;
  for (const el of path) {
    cursor = step(cursor, el);
    if (cursor === undefined) return undefined;
  }
  return cursor;
}

/** Removes the field (or, for an item marker, the whole list item) at a path. */
export function removeAt(obj: unknown, path: Path): void {
  const last = path[path.length - 1];
  if (last === '.') {
    const itemEl = path[path.length - 2]!;
    const list = getAt(obj, path.slice(0, -2));
    if (!Array.isArray(list)) return;
    const key = JSON.parse(itemEl.slice(2)) as Plain;
    const idx = list.findIndex((item) => sameKey(item, key, Object.keys(key)));
    if (idx >= 0) list.splice(idx, 1);
    return;
  }
  const parent = getAt(obj, path.slice(0, -1));
  if (isPlainObject(parent) && last?.startsWith('f:')) delete parent[last.slice(2)];
}

/** `.spec.template.spec.containers[name="app"].image`, as conflict messages print paths. */
export function formatPath(path: Path): string {
  let out = '';
  for (const el of path) {
    if (el === '.') continue;
    if (el.startsWith('f:')) out += `.${el.slice(2)}`;
    else if (el.startsWith('k:')) {
      const key = JSON.parse(el.slice(2)) as Plain;
      out += `[${Object.entries(key)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',')}]`;
    }
  }
  return out;
}

export const encodePath = enc;
