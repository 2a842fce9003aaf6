/**
 * Server-side apply and field ownership (`metadata.managedFields`).
 * Apply: the manager's applied fields are merged into the live object; fields it applied
 * before and no longer applies are removed unless another manager owns them; a field that
 * another manager owns with a different value is a conflict unless `force`.
 * Update (POST/PUT/PATCH): the writer takes ownership of every field it changed.
 */
import { ApiError } from '../api/status.js';
import type { KubeObject, ManagedFieldsEntry } from '../types.js';
import {
  decode,
  encodePath,
  type FieldSet,
  fieldSetOf,
  formatPath,
  fromFieldsV1,
  getAt,
  removeAt,
  toFieldsV1,
} from './fields.js';
import { clone, deepEqual, isPlainObject, type Plain } from './json.js';
import { mergeKeyFor, sameKey } from './merge-keys.js';

interface Entry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  subresource?: string;
  set: FieldSet;
}

const sameEntry = (e: Entry, manager: string, operation: string, subresource?: string) =>
  e.manager === manager && e.operation === operation && (e.subresource ?? '') === (subresource ?? '');

function readEntries(obj: KubeObject | undefined): Entry[] {
  return (obj?.metadata.managedFields ?? []).map((m) => ({
    manager: m.manager,
    operation: m.operation,
    apiVersion: m.apiVersion,
    time: m.time,
    ...(m.subresource ? { subresource: m.subresource } : {}),
    set: fromFieldsV1(m.fieldsV1),
  }));
}

function writeEntries(entries: Entry[]): ManagedFieldsEntry[] {
  return entries
    .filter((e) => e.set.size > 0)
    .map((e) => ({
      manager: e.manager,
      operation: e.operation,
      apiVersion: e.apiVersion,
      time: e.time,
      fieldsType: 'FieldsV1' as const,
      fieldsV1: toFieldsV1(e.set),
      ...(e.subresource ? { subresource: e.subresource } : {}),
    }));
}

/** Config merged into live: maps field by field, keyed lists item by item, the rest replaced. */
function mergeApplied(live: unknown, config: unknown, field?: string): unknown {
  if (isPlainObject(config) && isPlainObject(live)) {
    const out: Plain = { ...live };
    for (const [k, v] of Object.entries(config)) out[k] = mergeApplied(live[k], v, k);
    return out;
  }
  if (Array.isArray(config) && Array.isArray(live)) {
    const keys = mergeKeyFor(field, [...config, ...live]);
    if (!keys) return clone(config);
    const out = clone(live);
    for (const item of config) {
      const idx = out.findIndex((l) => sameKey(l, item, keys));
      if (idx >= 0) out[idx] = mergeApplied(out[idx], item);
      else out.push(clone(item));
    }
    return out;
  }
  return clone(config);
}

/** True when `path` (a leaf or an item marker) is owned by someone in `others`. */
function ownedByOthers(path: string[], others: Entry[]): boolean {
  const encoded = encodePath(path);
  if (path[path.length - 1] === '.') {
    const prefix = path.slice(0, -1);
    return others.some((e) =>
      [...e.set].some((p) => {
        const d = decode(p);
        return d.length >= prefix.length && prefix.every((el, i) => d[i] === el);
      }),
    );
  }
  return others.some((e) => e.set.has(encoded));
}

/** A key field of a list item stays while the item stays. */
function isItemKeyField(path: string[]): boolean {
  const parent = path[path.length - 2];
  const last = path[path.length - 1];
  if (!parent?.startsWith('k:') || !last?.startsWith('f:')) return false;
  return Object.hasOwn(JSON.parse(parent.slice(2)) as Plain, last.slice(2));
}

export interface ApplyOptions {
  manager: string;
  force: boolean;
  now: string;
  apiVersion: string;
}

/** Returns the object to store (metadata.managedFields set) for an apply of `config` over `live`. */
export function serverSideApply(live: KubeObject | undefined, config: Plain, opts: ApplyOptions): KubeObject {
  const applied = fieldSetOf(config);
  const entries = readEntries(live);
  const mine = entries.find((e) => sameEntry(e, opts.manager, 'Apply'));
  const others = entries.filter((e) => e.manager !== opts.manager);

  const conflicts: { path: string[]; manager: string }[] = [];
  for (const p of applied) {
    const path = decode(p);
    if (path[path.length - 1] === '.') continue;
    for (const e of others) {
      if (e.set.has(p) && !deepEqual(getAt(live, path), getAt(config, path)))
        conflicts.push({ path, manager: e.manager });
    }
  }
  if (conflicts.length > 0 && !opts.force) throw conflictError(live?.metadata.name ?? '', conflicts);
  for (const c of conflicts) for (const e of others) e.set.delete(encodePath(c.path));

  const base: Plain = live ? clone(live) : { apiVersion: config.apiVersion, kind: config.kind, metadata: {} };
  const previously = mine?.set ?? new Set<string>();
  const removals = [...previously]
    .filter((p) => !applied.has(p))
    .map(decode)
    .sort((a, b) => b.length - a.length);
  for (const path of removals) {
    if (!ownedByOthers(path, others) && !isItemKeyField(path)) removeAt(base, path);
  }

  const configMeta = isPlainObject(config.metadata) ? config.metadata : {};
  const meta = base.metadata as Plain;
  for (const k of ['labels', 'annotations', 'ownerReferences', 'finalizers']) {
    if (configMeta[k] !== undefined) meta[k] = mergeApplied(meta[k], configMeta[k], k);
  }
  for (const [k, v] of Object.entries(config)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'metadata' || k === 'status') continue;
    base[k] = mergeApplied(base[k], v, k);
  }

  const next = entries.filter((e) => !sameEntry(e, opts.manager, 'Apply'));
  next.push({
    manager: opts.manager,
    operation: 'Apply',
    apiVersion: opts.apiVersion,
    time: opts.now,
    set: applied,
  });
  const result = base as KubeObject;
  result.metadata.managedFields = writeEntries(next);
  return result;
}

function conflictError(name: string, conflicts: { path: string[]; manager: string }[]): ApiError {
  const n = conflicts.length;
  const byManager = new Map<string, string[]>();
  for (const c of conflicts)
    byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), formatPath(c.path)]);
  const message =
    n === 1
      ? `Apply failed with 1 conflict: conflict with "${conflicts[0]!.manager}": ${formatPath(conflicts[0]!.path)}`
      : `Apply failed with ${n} conflicts: ${[...byManager].map(([m, ps]) => `conflicts with "${m}":\n${ps.map((p) => `- ${p}`).join('\n')}`).join('\n')}`;
  return new ApiError(409, 'Conflict', message, {
    name,
    causes: conflicts.map((c) => ({
      reason: 'FieldManagerConflict',
      message: `conflict with "${c.manager}"`,
      field: formatPath(c.path),
    })),
  });
}

export interface UpdateOptions {
  manager: string;
  now: string;
  apiVersion: string;
  subresource?: string;
}

/** managedFields after a non-apply write from `old` to `next` by `manager`. */
export function recordUpdate(
  old: KubeObject | undefined,
  next: KubeObject,
  opts: UpdateOptions,
): ManagedFieldsEntry[] {
  const entries = readEntries(old);
  const before = old ? fieldSetOf(old) : new Set<string>();
  const after = fieldSetOf(next);
  const changed = [...after].filter(
    (p) => !before.has(p) || !deepEqual(getAt(old, decode(p)), getAt(next, decode(p))),
  );
  const removed = [...before].filter((p) => !after.has(p));
  for (const e of entries) {
    for (const p of [...changed, ...removed])
      if (!sameEntry(e, opts.manager, 'Update', opts.subresource)) e.set.delete(p);
  }
  let mine = entries.find((e) => sameEntry(e, opts.manager, 'Update', opts.subresource));
  if (!mine && changed.length > 0) {
    mine = {
      manager: opts.manager,
      operation: 'Update',
      apiVersion: opts.apiVersion,
      time: opts.now,
      set: new Set(),
      ...(opts.subresource ? { subresource: opts.subresource } : {}),
    };
    entries.push(mine);
  }
  if (mine) {
    for (const p of changed) mine.set.add(p);
    for (const p of removed) mine.set.delete(p);
    if (changed.length > 0) mine.time = opts.now;
  }
  return writeEntries(entries);
}
