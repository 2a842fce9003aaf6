/** The life of every controller of the double: store changes → keys on a work queue → reconcile. */
import type { DoubleLogger } from '../logger.js';
import type { ChangeEvent, Store } from '../store/store.js';
import { WorkQueue } from './queue.js';

export abstract class QueueController {
  protected readonly queue: WorkQueue;
  private unsubscribe: (() => void) | undefined;
  private resync: NodeJS.Timeout | undefined;

  /** `resyncMs` > 0: every so often, `resyncKeys()` go on the queue again (as informers resync). */
  constructor(
    protected readonly store: Store,
    name: string,
    logger: DoubleLogger,
    private readonly resyncMs = 0,
  ) {
    this.queue = new WorkQueue(name, (key) => this.reconcile(key), logger);
  }

  protected abstract reconcile(key: string): Promise<void> | void;

  /** Puts the keys a store change concerns on the queue. */
  protected abstract onChange(e: ChangeEvent): void;

  /** The keys each resync puts on the queue. */
  protected resyncKeys(): Iterable<string> {
    return [];
  }

  /** The keys put on the queue at start. */
  protected startKeys(): Iterable<string> {
    return [];
  }

  start(): void {
    this.unsubscribe = this.store.subscribe((e) => this.onChange(e));
    for (const key of this.startKeys()) this.queue.add(key);
    if (this.resyncMs > 0)
      this.resync = setInterval(() => {
        for (const key of this.resyncKeys()) this.queue.add(key);
      }, this.resyncMs);
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    clearInterval(this.resync);
    await this.queue.close();
  }
}
