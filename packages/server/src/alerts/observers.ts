import type { PipelineObserver } from '../pipeline/observer.js';

/** Several observers as one: each is told in turn; one that throws does not stop the others. */
export function composeObservers(...observers: PipelineObserver[]): PipelineObserver {
  const tellEach = (tell: (observer: PipelineObserver) => void) => {
    for (const observer of observers) {
      try {
        tell(observer);
      } catch {
        // An observer is a side channel: it never breaks the pipeline.
      }
    }
  };
  return {
    started: (pipeline, at) => tellEach((o) => o.started(pipeline, at)),
    stageFinished: (pipeline, stage) => tellEach((o) => o.stageFinished(pipeline, stage)),
    finished: (pipeline) => tellEach((o) => o.finished(pipeline)),
  };
}
