/**
 * The apiserver's write path over the store: defaulting, validation, preconditions,
 * generation, field ownership, namespaces that must exist, graceful deletion and finalizers.
 * HTTP routes and the double's controllers both write through here.
 */
import { randomUUID } from 'node:crypto';
import { mutate as admitMutating, validate as admitValidating } from '../admission/index.js';
import { normalizeObject } from '../decoding/field-validation.js';
import { recordUpdate, serverSideApply } from '../patch/apply.js';
import { deepEqual, type Plain } from '../patch/json.js';
import { applyJsonPatch } from '../patch/json-patch.js';
import { jsonMergePatch, strategicMergePatch } from '../patch/merge.js';
import type { Store } from '../store/store.js';
import type { KubeObject } from '../types.js';
import { generateName, rfc3339 } from './clock.js';
import { type DeleteOptions, type DeleteResult, Deletion, isGracefulPod } from './deletion.js';
import { type KindContext, kindOf } from './kinds/index.js';
import { validateMetadata } from './meta.js';
import { apiVersionOf, R, type ResourceDef } from './resources.js';
import { type FieldMatcher, type LabelMatcher, parseFieldSelector, parseLabelSelector } from './selectors.js';
import {
  ApiError,
  alreadyExists,
  badRequest,
  conflict,
  forbidden,
  invalid,
  notFound,
  type Target,
  unsupportedMediaType,
} from './status.js';

export interface WriteMeta {
  /** `fieldManager`, or the user agent's product name. */
  manager: string;
  dryRun?: boolean;
  /** Where admission puts the response's `Warning` texts (Pod Security, dropped fields). */
  warnings?: string[];
}

export type { DeleteOptions, DeleteResult } from './deletion.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export function patchTypeOf(contentType: string | undefined): PatchType {
  const ct = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (ct === 'application/json-patch+json') return 'json';
  if (ct === 'application/merge-patch+json') return 'merge';
  if (ct === 'application/strategic-merge-patch+json') return 'strategic';
  if (ct === 'application/apply-patch+yaml') return 'apply';
  throw unsupportedMediaType(ct);
}

const metaServerFields = [
  'uid',
  'creationTimestamp',
  'generation',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
] as const;

export class Registry {
  private readonly deletion: Deletion;

  constructor(
    readonly store: Store,
    readonly ctx: KindContext,
  ) {
    this.deletion = new Deletion(store, ctx);
  }

  target(def: ResourceDef, name: string): Target {
    return { plural: def.plural, group: def.group, kind: def.kind, name };
  }

  get(def: ResourceDef, namespace: string | undefined, name: string): KubeObject {
    const o = this.store.get(def, namespace, name);
    if (!o) throw notFound(this.target(def, name));
    return o;
  }

  list(
    def: ResourceDef,
    namespace: string | undefined,
    labelSelector?: string,
    fieldSelector?: string,
  ): KubeObject[] {
    const byLabel: LabelMatcher = parseLabelSelector(labelSelector);
    const byField: FieldMatcher = parseFieldSelector(fieldSelector);
    return this.store.list(def, namespace).filter((o) => byLabel(o.metadata.labels) && byField(o));
  }

  /** A namespaced write needs an existing namespace; a create needs one that is not terminating. */
  private checkNamespace(
    def: ResourceDef,
    namespace: string | undefined,
    name: string,
    creating: boolean,
  ): void {
    if (!def.namespaced) return;
    const ns = this.store.peek(R.namespaces, undefined, namespace ?? '');
    if (!ns) throw notFound(this.target(R.namespaces, namespace ?? ''));
    if (creating && ns.metadata.deletionTimestamp) {
      throw forbidden(
        this.target(def, name),
        `unable to create new content in namespace ${namespace} because it is being terminated`,
      );
    }
  }

  private checkBody(def: ResourceDef, namespace: string | undefined, body: unknown): KubeObject {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw badRequest('the body of the request was not a JSON object');
    // Decoded as the typed structs would: unknown fields and nulls gone, quantities canonical.
    const obj = normalizeObject(def, body) as KubeObject;
    const apiVersion = apiVersionOf(def);
    if (obj.kind !== undefined && obj.kind !== def.kind) {
      throw badRequest(
        `the object provided is unrecognized (must be of type ${def.kind}): kind ${obj.kind} (${obj.apiVersion ?? ''})`,
      );
    }
    if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersion) {
      throw badRequest(
        `the API version in the data (${obj.apiVersion}) does not match the expected API version (${apiVersion})`,
      );
    }
    obj.apiVersion = apiVersion;
    obj.kind = def.kind;
    obj.metadata ??= {} as KubeObject['metadata'];
    if (def.namespaced) {
      if (obj.metadata.namespace && obj.metadata.namespace !== namespace) {
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      obj.metadata.namespace = namespace;
    } else delete obj.metadata.namespace;
    return obj;
  }

  private validate(def: ResourceDef, obj: KubeObject, old: KubeObject | undefined): void {
    const kind = kindOf(def);
    kind.defaults?.(obj);
    const errors = [...validateMetadata(obj, kind), ...(kind.validate?.(obj, old) ?? [])];
    if (errors.length > 0)
      throw invalid(def.kind, obj.metadata.name ?? obj.metadata.generateName ?? '', def.group, errors);
  }

  async create(
    def: ResourceDef,
    namespace: string | undefined,
    body: unknown,
    meta: WriteMeta,
  ): Promise<KubeObject> {
    if (def.readOnly)
      throw new ApiError(
        405,
        'MethodNotAllowed',
        `the server does not allow this method on the requested resource (post ${def.plural})`,
      );
    const obj = this.checkBody(def, namespace, body);
    Reflect.deleteProperty(obj.metadata, 'resourceVersion');
    if (!obj.metadata.name && obj.metadata.generateName)
      obj.metadata.name = generateName(obj.metadata.generateName);
    this.checkNamespace(def, namespace, obj.metadata.name ?? '', true);
    return this.insert(def, obj, undefined, meta);
  }

  private async insert(
    def: ResourceDef,
    obj: KubeObject,
    managed: KubeObject['metadata']['managedFields'],
    meta: WriteMeta,
  ): Promise<KubeObject> {
    const now = new Date();
    obj.metadata.uid = randomUUID();
    obj.metadata.creationTimestamp = rfc3339(now);
    delete obj.metadata.deletionTimestamp;
    delete obj.metadata.deletionGracePeriodSeconds;
    if (def.tracksGeneration) obj.metadata.generation = 1;
    else delete obj.metadata.generation;
    admitMutating(this.store, def, obj, undefined);
    this.validate(def, obj, undefined);
    if (this.store.peek(def, obj.metadata.namespace, obj.metadata.name))
      throw alreadyExists(this.target(def, obj.metadata.name));
    meta.warnings?.push(...admitValidating(this.store, def, obj, undefined));
    const kind = kindOf(def);
    if (def.subresources.includes('status')) delete obj.status;
    await kind.prepareCreate?.(obj, this.ctx);
    obj.metadata.managedFields =
      managed ??
      recordUpdate(undefined, obj, { manager: meta.manager, now: rfc3339(now), apiVersion: obj.apiVersion });
    if (meta.dryRun) return obj;
    return this.store.insert(def, obj);
  }

  /** PUT of the whole object, or of its status subresource. */
  async update(
    def: ResourceDef,
    namespace: string | undefined,
    name: string,
    body: unknown,
    meta: WriteMeta,
    subresource?: 'status',
  ): Promise<KubeObject> {
    if (def.readOnly)
      throw new ApiError(
        405,
        'MethodNotAllowed',
        'the server does not allow this method on the requested resource',
      );
    const obj = this.checkBody(def, namespace, body);
    if (obj.metadata.name && obj.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    obj.metadata.name = name;
    const old = this.store.get(def, namespace, name);
    if (!old) throw notFound(this.target(def, name));
    if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== old.metadata.resourceVersion) {
      throw conflict(this.target(def, name));
    }
    return this.write(def, old, obj, meta, subresource);
  }

  /** The common end of every update: server fields kept, validated, generation, ownership, stored. */
  async write(
    def: ResourceDef,
    old: KubeObject,
    next: KubeObject,
    meta: WriteMeta,
    subresource?: 'status',
    managedDone = false,
  ): Promise<KubeObject> {
    this.checkNamespace(def, old.metadata.namespace, old.metadata.name, false);
    let obj = next;
    if (subresource === 'status') {
      obj = { ...structuredClone(old), status: next.status };
    } else if (def.subresources.includes('status')) {
      obj.status = structuredClone(old.status);
    }
    for (const f of metaServerFields) {
      if (old.metadata[f] === undefined) delete obj.metadata[f];
      else (obj.metadata as unknown as Plain)[f] = old.metadata[f];
    }
    obj.metadata.namespace = old.metadata.namespace;
    if (!managedDone) {
      obj.metadata.managedFields = recordUpdate(old, obj, {
        manager: meta.manager,
        now: rfc3339(),
        apiVersion: obj.apiVersion,
        ...(subresource ? { subresource } : {}),
      });
    }
    this.validate(def, obj, old);
    if (subresource === undefined) meta.warnings?.push(...admitValidating(this.store, def, obj, old));
    await kindOf(def).prepareUpdate?.(obj, old, this.ctx);
    if (def.tracksGeneration && !deepEqual(specPart(obj), specPart(old)))
      obj.metadata.generation = (old.metadata.generation ?? 1) + 1;
    if (!obj.metadata.deletionTimestamp && deepEqual(comparable(obj), comparable(old))) return old;
    if (meta.dryRun) return obj;
    if (
      obj.metadata.deletionTimestamp &&
      (obj.metadata.finalizers ?? []).length === 0 &&
      !isGracefulPod(def, obj)
    ) {
      return this.removeNow(def, obj);
    }
    return this.store.replace(def, obj);
  }

  async patch(
    def: ResourceDef,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
    meta: WriteMeta & { force?: boolean },
    subresource?: 'status',
  ): Promise<{ object: KubeObject; created: boolean }> {
    const old = this.store.get(def, namespace, name);
    if (type === 'apply') return this.apply(def, namespace, name, old, patch, meta, subresource);
    if (!old) throw notFound(this.target(def, name));
    let patched: unknown;
    if (type === 'json') patched = applyJsonPatch(old, patch);
    else if (type === 'merge') patched = jsonMergePatch(old, patch);
    else patched = strategicMergePatch(old, patch);
    const obj = this.checkBody(def, namespace, patched);
    if (obj.metadata.name !== name)
      throw badRequest('metadata.name: Invalid value: the name of the object cannot be changed by a patch');
    if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== old.metadata.resourceVersion)
      throw conflict(this.target(def, name));
    return { object: await this.write(def, old, obj, meta, subresource), created: false };
  }

  private async apply(
    def: ResourceDef,
    namespace: string | undefined,
    name: string,
    old: KubeObject | undefined,
    config: unknown,
    meta: WriteMeta & { force?: boolean },
    subresource?: 'status',
  ): Promise<{ object: KubeObject; created: boolean }> {
    if (typeof config !== 'object' || config === null || Array.isArray(config))
      throw badRequest('the body of an apply request must be an object');
    // Canonical quantities before field ownership compares applied values with stored ones.
    const cfg = normalizeObject(def, config) as Plain & { metadata?: Plain };
    if (!cfg.apiVersion || !cfg.kind) throw badRequest('apiVersion and kind must be set in an apply request');
    if (cfg.metadata?.name !== undefined && cfg.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${String(cfg.metadata.name)}) does not match the name on the URL (${name})`,
      );
    }
    if (subresource === 'status')
      throw badRequest('server-side apply of the status subresource is not supported by the k8s double');
    const rv = cfg.metadata?.resourceVersion;
    if (old && rv !== undefined && rv !== old.metadata.resourceVersion)
      throw conflict(this.target(def, name));
    const applied = serverSideApply(old, cfg, {
      manager: meta.manager,
      force: meta.force === true,
      now: rfc3339(),
      apiVersion: String(cfg.apiVersion),
    });
    const obj = this.checkBody(def, namespace, applied);
    obj.metadata.name = name;
    if (!old) {
      this.checkNamespace(def, namespace, name, true);
      return { object: await this.insert(def, obj, obj.metadata.managedFields, meta), created: true };
    }
    return { object: await this.write(def, old, obj, meta, undefined, true), created: false };
  }

  delete(
    def: ResourceDef,
    namespace: string | undefined,
    name: string,
    opts: DeleteOptions = {},
  ): Promise<DeleteResult> {
    return this.deletion.delete(def, namespace, name, opts);
  }

  removeNow(def: ResourceDef, obj: KubeObject): KubeObject {
    return this.deletion.removeNow(def, obj);
  }

  completePodDeletion(namespace: string, name: string): void {
    this.deletion.completePodDeletion(namespace, name);
  }

  removeFinalizer(def: ResourceDef, namespace: string | undefined, name: string, finalizer: string): void {
    this.deletion.removeFinalizer(def, namespace, name, finalizer);
  }

  hasDependents(owner: KubeObject): boolean {
    return this.deletion.hasDependents(owner);
  }
}

/** The object as a no-op check sees it: managedFields timestamps and resourceVersion do not count. */
function comparable(obj: KubeObject): Plain {
  const copy = structuredClone(obj) as KubeObject;
  Reflect.deleteProperty(copy.metadata, 'resourceVersion');
  for (const m of copy.metadata.managedFields ?? []) Reflect.deleteProperty(m, 'time');
  return copy;
}

/** Everything outside metadata and status: what `generation` counts changes of. */
function specPart(obj: KubeObject): Plain {
  const { metadata: _m, status: _s, ...rest } = obj;
  return rest;
}
