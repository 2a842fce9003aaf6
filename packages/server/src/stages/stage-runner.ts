import type { PipelineRecord, RunnerResult, StageName, TestJobRecord } from '@ferry/shared';

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
  /**
   * The caller stores the end durably (the stage-end journal): the runner leaves what the runner
   * printed (`printed`) unrecorded and its runners (`runners`) in place, for the caller to record
   * (`record`) and destroy once the end is stored. Without it the runner does both itself.
   */
  handOver?: boolean;
}

/** A runner an earlier attempt of a stage left behind (its id from the stage record). */
export interface AdoptRequest {
  pipeline: PipelineRecord;
  stage: StageName;
  attempt: number;
  runnerId: string;
  signal: AbortSignal;
}

export interface StageOutcome {
  status: 'success' | 'failed' | 'canceled';
  /** For people: "exit code 1", "ImagePullBackOff: …". */
  reason?: string;
  /** With `handOver`: what the build or deploy runner printed, not recorded yet. */
  printed?: RunnerResult;
  /** With `handOver`: the runners left in place, to destroy once the end is stored. */
  runners?: string[];
}

/**
 * Runs one stage of one pipeline to its end. The orchestrator owns order, timeouts, cancel and
 * records; a runner owns the runner (process, container, pod) and always destroys it.
 */
export interface StageRunner {
  run(request: StageRunRequest): Promise<StageOutcome>;
  /** Destroys a runner left by an earlier attempt (crash recovery); absent runners are fine. */
  destroy(runnerId: string, signal: AbortSignal): Promise<void>;
  /**
   * Crash recovery: asks how the runner an earlier attempt left ends (a running one is followed
   * to its end, until `signal` aborts, which rejects). A finished one's output goes to the stage
   * log and its outcome comes back as a `handOver` run's would (runner kept, printed result
   * unrecorded); undefined when it never started or is gone (the caller destroys it and runs the
   * stage again).
   */
  adopt?(request: AdoptRequest): Promise<StageOutcome | undefined>;
  /** Records what a build or deploy runner printed (image, rollout) on the pipeline; idempotent. */
  record?(pipeline: PipelineRecord, printed: RunnerResult, signal: AbortSignal): Promise<void>;
}
