/** A keyed work queue: each key is reconciled once per burst of changes, one at a time. */
import type { DoubleLogger } from '../logger.js';

export class WorkQueue {
  private readonly pending = new Set<string>();
  private running = false;
  private closed = false;
  private idle: Promise<void> = Promise.resolve();

  constructor(
    private readonly name: string,
    private readonly handler: (key: string) => Promise<void> | void,
    private readonly logger: DoubleLogger,
  ) {}

  add(key: string): void {
    if (this.closed) return;
    this.pending.add(key);
    if (this.running) return;
    this.running = true;
    this.idle = new Promise<void>((resolve) => setImmediate(() => void this.drain().finally(resolve)));
  }

  private async drain(): Promise<void> {
    while (this.pending.size > 0 && !this.closed) {
      const key = this.pending.values().next().value as string;
      this.pending.delete(key);
      try {
        await this.handler(key);
      } catch (err) {
        this.logger.warn(
          { controller: this.name, key, err: String((err as Error)?.stack ?? err) },
          'reconcile failed',
        );
      }
    }
    this.running = false;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.idle;
  }
}

export const keyOf = (namespace: string | undefined, name: string) => `${namespace ?? ''}/${name}`;
export function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}
