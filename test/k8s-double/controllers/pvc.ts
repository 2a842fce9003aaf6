/** PVC protection: a claim being deleted goes (with its directory) once no active pod uses it. */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { PodSpec } from '../api/kinds/pod-spec.js';
import type { Registry } from '../api/registry.js';
import { R } from '../api/resources.js';
import type { DoubleLogger } from '../logger.js';
import type { Store } from '../store/store.js';
import { isTerminal } from './pods.js';
import { keyOf, splitKey, WorkQueue } from './queue.js';

export class PvcController {
  private readonly queue: WorkQueue;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly store: Store,
    private readonly registry: Registry,
    private readonly rootDir: string,
    logger: DoubleLogger,
  ) {
    this.queue = new WorkQueue('pvc-protection', (key) => this.reconcile(key), logger);
  }

  start(): void {
    this.unsubscribe = this.store.subscribe((e) => {
      if (e.def === R.pvcs && e.object.metadata.deletionTimestamp)
        this.queue.add(keyOf(e.object.metadata.namespace, e.object.metadata.name));
      if (e.def === R.pods) {
        for (const pvc of this.store.peekAll(R.pvcs, e.object.metadata.namespace)) {
          if (pvc.metadata.deletionTimestamp)
            this.queue.add(keyOf(pvc.metadata.namespace, pvc.metadata.name));
        }
      }
    });
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.queue.close();
  }

  private async reconcile(key: string): Promise<void> {
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
