import type { PipelineRecord, StageName, TestJobRecord } from '@ferry/shared';

export interface StageRunRequest {
  pipeline: PipelineRecord;
  stage: StageName;
  /** 1 for the first run; higher after a crash recovery. */
  attempt: number;
  /** Aborted on cancel and on the stage timeout; the runner must stop and clean up. */
  signal: AbortSignal;
  /** Called as soon as the runner exists, so a crash after it can still destroy it. */
  onStarted(runnerId: string): Promise<void>;
  /**
   * The test stage: a job started or ended (its runner id, status, report, coverage), to be kept
   * on the stage record; `form` says whether the jobs are named (`ferry/test:<job>`) or the simple form.
   */
  onJob?(job: TestJobRecord, form: 'single' | 'jobs'): Promise<void>;
}

export interface StageOutcome {
  status: 'success' | 'failed' | 'canceled';
  /** For people: "exit code 1", "ImagePullBackOff: …". */
  reason?: string;
}

/**
 * Runs one stage of one pipeline to its end. The orchestrator owns order, timeouts, cancel and
 * records; a runner owns the runner (process, container, pod) and always destroys it.
 */
export interface StageRunner {
  run(request: StageRunRequest): Promise<StageOutcome>;
  /** Destroys a runner left by an earlier attempt (crash recovery); absent runners are fine. */
  destroy(runnerId: string, signal: AbortSignal): Promise<void>;
}
