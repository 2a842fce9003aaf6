/**
 * Deletion as the apiserver does it: preconditions, graceful pod deletion, finalizers,
 * propagation (Background, Foreground with `foregroundDeletion`, Orphan), namespaces that
 * turn Terminating, and the final removal once nothing holds an object.
 */

import type { Store } from '../store/store.js';
import type { KubeObject } from '../types.js';
import { rfc3339 } from './clock.js';
import { type KindContext, kindOf } from './kinds/index.js';
import { R, type ResourceDef } from './resources.js';
import { ApiError, notFound, type Target } from './status.js';

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export interface DeleteResult {
  /** The object when it still exists (graceful deletion, finalizers) or for kinds that return it. */
  object?: KubeObject;
  removed: boolean;
}

const target = (def: ResourceDef, name: string): Target => ({
  plural: def.plural,
  group: def.group,
  kind: def.kind,
  name,
});

/** Pods stay until the kubelet has stopped their containers, even without finalizers. */
export function isGracefulPod(def: ResourceDef, obj: KubeObject): boolean {
  return def === R.pods && (obj.metadata.deletionGracePeriodSeconds ?? 0) > 0;
}

export class Deletion {
  constructor(
    private readonly store: Store,
    private readonly ctx: KindContext,
  ) {}

  async delete(
    def: ResourceDef,
    namespace: string | undefined,
    name: string,
    opts: DeleteOptions = {},
  ): Promise<DeleteResult> {
    if (def.readOnly)
      throw new ApiError(
        405,
        'MethodNotAllowed',
        'the server does not allow this method on the requested resource',
      );
    const obj = this.store.get(def, namespace, name);
    if (!obj) throw notFound(target(def, name));
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== obj.metadata.uid) {
      throw new ApiError(
        409,
        'Conflict',
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid}`,
        { name, kind: def.plural },
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) {
      throw new ApiError(
        409,
        'Conflict',
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`,
        { name, kind: def.plural },
      );
    }
    if (opts.dryRun) return { object: obj, removed: false };
    const policy = opts.propagationPolicy ?? 'Background';
    if (policy === 'Orphan') this.orphanDependents(obj);
    const now = new Date();
    const finalizers = new Set(obj.metadata.finalizers ?? []);
    if (policy === 'Foreground' && this.hasDependents(obj)) finalizers.add('foregroundDeletion');
    if (def === R.namespaces) {
      return {
        object: this.markDeleting(def, obj, [...finalizers], now, 0, (o) => {
          o.status = { ...(o.status ?? {}), phase: 'Terminating' };
        }),
        removed: false,
      };
    }
    const grace = this.graceFor(def, obj, opts.gracePeriodSeconds);
    if (finalizers.size > 0 || grace > 0) {
      const existing = obj.metadata.deletionGracePeriodSeconds;
      const effective = existing !== undefined && grace > 0 ? Math.min(existing, grace) : grace;
      return { object: this.markDeleting(def, obj, [...finalizers], now, effective), removed: false };
    }
    this.removeNow(def, obj);
    return { object: obj, removed: true };
  }

  private graceFor(def: ResourceDef, obj: KubeObject, requested: number | undefined): number {
    if (def !== R.pods) return 0;
    const phase = obj.status?.phase;
    if (!obj.spec?.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
    // Bound to a node that does not exist: nothing will stop it, so it goes at once (as pod GC does).
    if (!this.store.peek(R.nodes, undefined, obj.spec.nodeName)) return 0;
    return Math.max(0, requested ?? obj.spec?.terminationGracePeriodSeconds ?? 30);
  }

  private markDeleting(
    def: ResourceDef,
    obj: KubeObject,
    finalizers: string[],
    now: Date,
    grace: number,
    extra?: (o: KubeObject) => void,
  ): KubeObject {
    const result = this.store.mutate(def, obj.metadata.namespace, obj.metadata.name, (o) => {
      if (
        !o.metadata.deletionTimestamp ||
        (def === R.pods && grace < (o.metadata.deletionGracePeriodSeconds ?? Infinity))
      ) {
        o.metadata.deletionTimestamp = rfc3339(new Date(now.getTime() + grace * 1000));
        o.metadata.deletionGracePeriodSeconds = grace;
      }
      if (finalizers.length > 0) o.metadata.finalizers = finalizers;
      extra?.(o);
      return true;
    });
    return result ?? obj;
  }

  /** Removes an object whose deletion is complete (no finalizers left). */
  removeNow(def: ResourceDef, obj: KubeObject): KubeObject {
    const gone = this.store.remove(def, obj.metadata.namespace, obj.metadata.name);
    if (gone) kindOf(def).onRemoved?.(gone, this.ctx);
    return gone ?? obj;
  }

  /** The kubelet has stopped a deleted pod's containers: the pod goes unless finalizers hold it. */
  completePodDeletion(namespace: string, name: string): void {
    const pod = this.store.mutate(R.pods, namespace, name, (o) => {
      if (!o.metadata.deletionTimestamp) return false;
      o.metadata.deletionGracePeriodSeconds = 0;
      return true;
    });
    if (pod?.metadata.deletionTimestamp && (pod.metadata.finalizers ?? []).length === 0)
      this.removeNow(R.pods, pod);
  }

  /** Drops a finalizer; removes the object when it was being deleted and none remain. */
  removeFinalizer(def: ResourceDef, namespace: string | undefined, name: string, finalizer: string): void {
    const updated = this.store.mutate(def, namespace, name, (o) => {
      const list = (o.metadata.finalizers ?? []).filter((f) => f !== finalizer);
      if (list.length === (o.metadata.finalizers ?? []).length) return false;
      if (list.length > 0) o.metadata.finalizers = list;
      else delete o.metadata.finalizers;
      return true;
    });
    if (
      updated?.metadata.deletionTimestamp &&
      (updated.metadata.finalizers ?? []).length === 0 &&
      !isGracefulPod(def, updated)
    ) {
      this.removeNow(def, updated);
    }
  }

  private dependentsOf(owner: KubeObject): { def: ResourceDef; obj: KubeObject }[] {
    const out: { def: ResourceDef; obj: KubeObject }[] = [];
    for (const def of [R.replicasets, R.pods, R.endpoints, R.events]) {
      for (const o of this.store.peekAll(def, owner.metadata.namespace)) {
        if (o.metadata.ownerReferences?.some((r) => r.uid === owner.metadata.uid)) out.push({ def, obj: o });
      }
    }
    return out;
  }

  hasDependents(owner: KubeObject): boolean {
    return this.dependentsOf(owner).length > 0;
  }

  private orphanDependents(owner: KubeObject): void {
    for (const { def, obj } of this.dependentsOf(owner)) {
      this.store.mutate(def, obj.metadata.namespace, obj.metadata.name, (o) => {
        o.metadata.ownerReferences = (o.metadata.ownerReferences ?? []).filter(
          (r) => r.uid !== owner.metadata.uid,
        );
        if (o.metadata.ownerReferences.length === 0) delete o.metadata.ownerReferences;
        return true;
      });
    }
  }
}
