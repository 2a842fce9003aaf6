/**
 * Namespace lifecycle: a new namespace gets its `default` ServiceAccount and the
 * `kube-root-ca.crt` ConfigMap; a deleted one has all its content deleted (pods gracefully)
 * and disappears once it is empty.
 */
import type { Catalog } from '../api/catalog.js';
import { rfc3339 } from '../api/clock.js';
import type { Registry } from '../api/registry.js';
import { R } from '../api/resources.js';
import type { DoubleLogger } from '../logger.js';
import type { ChangeEvent, Store } from '../store/store.js';
import { QueueController } from './controller.js';

export class NamespaceController extends QueueController {
  constructor(
    store: Store,
    private readonly registry: Registry,
    private readonly caPem: string,
    private readonly catalog: Catalog,
    logger: DoubleLogger,
  ) {
    super(store, 'namespace', logger, 1000);
  }

  protected onChange(e: ChangeEvent): void {
    if (e.def === R.namespaces && e.type !== 'DELETED') this.queue.add(e.object.metadata.name);
    else if (e.type === 'DELETED' && e.object.metadata.namespace) {
      const ns = this.store.peek(R.namespaces, undefined, e.object.metadata.namespace);
      if (ns?.metadata.deletionTimestamp) this.queue.add(ns.metadata.name);
    }
  }

  protected override startKeys(): string[] {
    return this.store.peekAll(R.namespaces).map((ns) => ns.metadata.name);
  }

  protected override resyncKeys(): string[] {
    return this.store
      .peekAll(R.namespaces)
      .filter((ns) => ns.metadata.deletionTimestamp)
      .map((ns) => ns.metadata.name);
  }

  protected async reconcile(name: string): Promise<void> {
    const ns = this.store.peek(R.namespaces, undefined, name);
    if (!ns) return;
    if (!ns.metadata.deletionTimestamp) return this.populate(name);
    let remaining = 0;
    for (const def of this.catalog.all().filter((r) => r.namespaced && r !== R.events)) {
      for (const o of this.store.peekAll(def, name)) {
        remaining++;
        if (!o.metadata.deletionTimestamp)
          await this.registry
            .delete(def, name, o.metadata.name, { propagationPolicy: 'Background' })
            .catch(() => undefined);
      }
    }
    if (remaining > 0) return;
    for (const ev of this.store.peekAll(R.events, name)) this.store.remove(R.events, name, ev.metadata.name);
    if ((ns.metadata.finalizers ?? []).length === 0) this.registry.removeNow(R.namespaces, ns);
  }

  private populate(name: string): void {
    const meta = (n: string) => ({
      name: n,
      namespace: name,
      uid: crypto.randomUUID(),
      resourceVersion: '',
      creationTimestamp: rfc3339(),
    });
    if (!this.store.peek(R.serviceaccounts, name, 'default')) {
      this.store.insert(R.serviceaccounts, {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: meta('default'),
      });
    }
    if (!this.store.peek(R.configmaps, name, 'kube-root-ca.crt')) {
      this.store.insert(R.configmaps, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: meta('kube-root-ca.crt'),
        data: { 'ca.crt': this.caPem },
      });
    }
  }
}
