/** Keeps ResourceQuota `status.used` current as pods and counted objects come and go. */
import { quotaStatus } from '../api/quota.js';
import { R } from '../api/resources.js';
import type { DoubleLogger } from '../logger.js';
import type { Store } from '../store/store.js';
import { WorkQueue } from './queue.js';

export class QuotaController {
  private readonly queue: WorkQueue;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly store: Store,
    logger: DoubleLogger,
  ) {
    this.queue = new WorkQueue('resourcequota', (ns) => this.reconcile(ns), logger);
  }

  start(): void {
    this.unsubscribe = this.store.subscribe((e) => {
      const ns = e.object.metadata.namespace;
      if (!ns || e.def === R.events) return;
      if (e.def === R.resourcequotas && e.type !== 'DELETED') this.queue.add(ns);
      else if (this.store.peekAll(R.resourcequotas, ns).length > 0) this.queue.add(ns);
    });
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.queue.close();
  }

  private reconcile(namespace: string): void {
    for (const q of this.store.peekAll(R.resourcequotas, namespace)) {
      const status = quotaStatus(this.store, q);
      this.store.mutate(R.resourcequotas, namespace, q.metadata.name, (o) => {
        o.status = status;
        return true;
      });
    }
  }
}
