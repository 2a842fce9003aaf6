import type { PipelineRecord } from '@ferry/shared';

/** Side channels told about pipeline starts and ends (metrics now; reporters read the event stream). */
export interface PipelineObserver {
  started(pipeline: PipelineRecord, at: Date): void;
  finished(pipeline: PipelineRecord): void;
}

export const nullObserver: PipelineObserver = { started() {}, finished() {} };
