import type { PipelineRecord } from '@ferry/shared';
import type { PipelineObserver } from '../pipeline/observer.js';

/** Several observers as one: each is told in turn; one that throws does not stop the others. */
export function composeObservers(...observers: PipelineObserver[]): PipelineObserver {
  return {
    started(pipeline: PipelineRecord, at: Date) {
      for (const observer of observers) {
        try {
          observer.started(pipeline, at);
        } catch {
          // An observer is a side channel: it never breaks the pipeline.
        }
      }
    },
    finished(pipeline: PipelineRecord) {
      for (const observer of observers) {
        try {
          observer.finished(pipeline);
        } catch {
          // As above.
        }
      }
    },
  };
}
