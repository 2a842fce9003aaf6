/** PVC protection: a claim being deleted goes (with its directory) once no active pod uses it. */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { PodSpec } from '../api/kinds/pod-spec.js';
import type { Registry } from '../api/registry.js';
import { R } from '../api/resources.js';
import type { DoubleLogger } from '../logger.js';
import type { ChangeEvent, Store } from '../store/store.js';
import { QueueController } from './controller.js';
import { isTerminal } from './pods.js';
import { keyOf, splitKey } from './queue.js';

export class PvcController extends QueueController {
  constructor(
    store: Store,
    private readonly registry: Registry,
    private readonly rootDir: string,
    logger: DoubleLogger,
  ) {
    super(store, 'pvc-protection', logger);
  }

  protected onChange(e: ChangeEvent): void {
    if (e.def === R.pvcs && e.object.metadata.deletionTimestamp)
      this.queue.add(keyOf(e.object.metadata.namespace, e.object.metadata.name));
    if (e.def === R.pods) {
      for (const pvc of this.store.peekAll(R.pvcs, e.object.metadata.namespace)) {
        if (pvc.metadata.deletionTimestamp) this.queue.add(keyOf(pvc.metadata.namespace, pvc.metadata.name));
      }
    }
  }

  protected async reconcile(key: string): Promise<void> {
    const [ns, name] = splitKey(key);
    const pvc = this.store.peek(R.pvcs, ns, name);
    if (!pvc?.metadata.deletionTimestamp) return;
    const inUse = this.store
      .peekAll(R.pods, ns)
      .some(
        (p) =>
          !isTerminal(p) &&
          ((p.spec as PodSpec).volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === name),
      );
    if (inUse) return;
    await rm(join(this.rootDir, 'pvcs', pvc.metadata.uid), { recursive: true, force: true });
    this.registry.removeFinalizer(R.pvcs, ns, name, 'kubernetes.io/pvc-protection');
  }
}
