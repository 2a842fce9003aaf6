import type { Redis } from 'ioredis';

/**
 * Cancel requests across replicas: the API publishes the pipeline id on a Redis channel; the
 * replica running it aborts the pipeline's AbortController.
 */
export class CancelSignals {
  readonly #controllers = new Map<string, AbortController>();
  readonly #channel: string;
  #subscriber: Redis | undefined;

  constructor(channel: string) {
    this.#channel = channel;
  }

  async listen(subscriber: Redis): Promise<void> {
    this.#subscriber = subscriber;
    subscriber.on('message', (channel: string, pipelineId: string) => {
      if (channel === this.#channel) this.#controllers.get(pipelineId)?.abort(new Error('canceled'));
    });
    await subscriber.subscribe(this.#channel);
  }

  /** The signal for a pipeline this replica is about to run; call `release` when done. */
  acquire(pipelineId: string): AbortSignal {
    const controller = new AbortController();
    this.#controllers.set(pipelineId, controller);
    return controller.signal;
  }

  release(pipelineId: string): void {
    this.#controllers.delete(pipelineId);
  }

  /** Aborts locally (this replica) — used when the publisher and runner are the same process. */
  abortLocal(pipelineId: string): boolean {
    const controller = this.#controllers.get(pipelineId);
    controller?.abort(new Error('canceled'));
    return controller !== undefined;
  }

  static async publish(publisher: Redis, channel: string, pipelineId: string): Promise<void> {
    await publisher.publish(channel, pipelineId);
  }

  async close(): Promise<void> {
    for (const controller of this.#controllers.values()) controller.abort(new Error('shutting down'));
    if (this.#subscriber !== undefined) await this.#subscriber.quit().catch(() => undefined);
  }
}
