/**
 * The garbage collector: dependents whose owners are gone are deleted (background
 * propagation); owners deleted in the foreground wait, with the `foregroundDeletion`
 * finalizer, until their dependents are gone.
 */
import type { Registry } from '../api/registry.js';
import { R, type ResourceDef } from '../api/resources.js';
import type { DoubleLogger } from '../logger.js';
import type { ChangeEvent, Store } from '../store/store.js';
import type { KubeObject } from '../types.js';
import { QueueController } from './controller.js';

const owners: ResourceDef[] = [R.deployments, R.replicasets, R.statefulsets, R.pods, R.services];
const dependents: ResourceDef[] = [R.replicasets, R.pods];

export class GarbageCollector extends QueueController {
  constructor(
    store: Store,
    private readonly registry: Registry,
    logger: DoubleLogger,
  ) {
    super(store, 'garbage-collector', logger, 2000);
  }

  protected onChange(e: ChangeEvent): void {
    if (e.type === 'DELETED' || e.object.metadata.deletionTimestamp) this.queue.add('all');
  }

  protected override resyncKeys(): string[] {
    return ['all'];
  }

  private exists(namespace: string | undefined, uid: string): KubeObject | undefined {
    for (const def of owners) {
      const found = this.store.peekAll(def, namespace).find((o) => o.metadata.uid === uid);
      if (found) return found;
    }
    return undefined;
  }

  protected async reconcile(): Promise<void> {
    for (const def of dependents) {
      for (const o of this.store.peekAll(def)) {
        const refs = o.metadata.ownerReferences ?? [];
        if (refs.length === 0 || o.metadata.deletionTimestamp) continue;
        const live = refs.map((r) => this.exists(o.metadata.namespace, r.uid));
        const foreground = live.some((owner) => owner?.metadata.finalizers?.includes('foregroundDeletion'));
        if (live.every((owner) => owner === undefined) || foreground) {
          await this.registry
            .delete(def, o.metadata.namespace, o.metadata.name, {
              propagationPolicy: foreground ? 'Foreground' : 'Background',
            })
            .catch(() => undefined);
        }
      }
    }
    for (const def of owners) {
      for (const o of this.store.peekAll(def)) {
        if (!o.metadata.deletionTimestamp || !o.metadata.finalizers?.includes('foregroundDeletion')) continue;
        if (!this.registry.hasDependents(o))
          this.registry.removeFinalizer(def, o.metadata.namespace, o.metadata.name, 'foregroundDeletion');
      }
    }
  }
}
