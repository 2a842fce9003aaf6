import type { PipelineRecord, StageRecord } from '@ferry/shared';

/** Side channels told about pipeline starts and ends (metrics now; reporters read the event stream). */
export interface PipelineObserver {
  started(pipeline: PipelineRecord, at: Date): void;
  /** A stage that ran has ended (success, failed, canceled), as stored. */
  stageFinished(pipeline: PipelineRecord, stage: StageRecord): void;
  finished(pipeline: PipelineRecord): void;
}

export const nullObserver: PipelineObserver = { started() {}, stageFinished() {}, finished() {} };
