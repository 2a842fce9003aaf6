/** Keeps ResourceQuota `status.used` current as pods and counted objects come and go. */
import { quotaStatus } from '../api/quota.js';
import { R } from '../api/resources.js';
import type { DoubleLogger } from '../logger.js';
import type { ChangeEvent, Store } from '../store/store.js';
import { QueueController } from './controller.js';

export class QuotaController extends QueueController {
  constructor(store: Store, logger: DoubleLogger) {
    super(store, 'resourcequota', logger);
  }

  protected onChange(e: ChangeEvent): void {
    const ns = e.object.metadata.namespace;
    if (!ns || e.def === R.events) return;
    if (e.def === R.resourcequotas && e.type !== 'DELETED') this.queue.add(ns);
    else if (this.store.peekAll(R.resourcequotas, ns).length > 0) this.queue.add(ns);
  }

  protected reconcile(namespace: string): void {
    for (const q of this.store.peekAll(R.resourcequotas, namespace)) {
      const status = quotaStatus(this.store, q);
      this.store.mutate(R.resourcequotas, namespace, q.metadata.name, (o) => {
        o.status = status;
        return true;
      });
    }
  }
}
