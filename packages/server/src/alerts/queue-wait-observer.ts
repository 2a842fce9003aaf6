import type { PipelineRecord } from '@ferry/shared';
import type { PipelineObserver } from '../pipeline/observer.js';
import type { AlertSink } from './alert-sink.js';

/** Alerts when a pipeline started later than the queue-wait objective after its merge was accepted. */
export class QueueWaitObserver implements PipelineObserver {
  readonly #alerts: AlertSink;
  readonly #sloMs: number;

  constructor(alerts: AlertSink, sloMs: number) {
    this.#alerts = alerts;
    this.#sloMs = sloMs;
  }

  started(pipeline: PipelineRecord, at: Date): void {
    const waited = at.getTime() - Date.parse(pipeline.queuedAt);
    if (Number.isFinite(waited) && waited > this.#sloMs)
      this.#alerts.queueWaitOverSlo(pipeline, waited, this.#sloMs);
  }

  stageFinished(): void {}

  finished(): void {}
}
