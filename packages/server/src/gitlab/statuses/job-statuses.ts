import type { PipelineRecord, StageRecord, TestJobRecord } from '@ferry/shared';
import { durationText, elapsedMs } from '../../reporting/duration-text.js';
import type { Transition } from '../../reporting/reporter.js';
import type { GitLabState } from './commit-status.js';

/** The status name of a named test job: `ferry/test:<job>`. */
export function jobStatusName(job: string): string {
  return `ferry/test:${job}`;
}

/** What a job's status says: its state, description and coverage. Pure. */
export interface JobStatus {
  /** The job's name in the spec (`unit`). */
  job: string;
  /** Its status name (`ferry/test:unit`). */
  name: string;
  state: GitLabState;
  description: string;
  coverage?: number;
}

/**
 * The statuses of a test stage's named jobs (`jobsForm: 'jobs'`), from the stage record a stage
 * transition comes with; none for the simple form (its one job is the stage's own status) and for
 * jobs not started yet.
 */
export function jobStatusesFor(transition: Transition, pipeline: PipelineRecord): JobStatus[] {
  if (transition.kind !== 'stage' || transition.stage !== 'test') return [];
  const stage = pipeline.stages.find((s) => s.name === 'test');
  if (stage?.jobsForm !== 'jobs') return [];
  return (stage.jobs ?? []).flatMap((job) => {
    const state = stateOf(job);
    if (state === undefined) return [];
    const status: JobStatus = {
      job: job.name,
      name: jobStatusName(job.name),
      state,
      description: jobDescription(job),
    };
    if (job.coverage !== undefined) status.coverage = job.coverage;
    return [status];
  });
}

function stateOf(job: TestJobRecord): GitLabState | undefined {
  return job.status === 'pending' ? undefined : job.status;
}

/** "Failed after 4s: exit code 1; 2 of 9 tests failed · suite › adds: expected 3" and the like. Pure. */
export function jobDescription(
  job: Pick<TestJobRecord, 'status' | 'reason' | 'startedAt' | 'finishedAt' | 'report'>,
): string {
  const took = elapsedMs(job.startedAt, job.finishedAt);
  const after = took === undefined ? '' : ` after ${durationText(took)}`;
  const reason = job.reason === undefined ? '' : `: ${job.reason}`;
  switch (job.status) {
    case 'running':
      return 'Testing';
    case 'success': {
      const passed = job.report === undefined ? '' : `, ${job.report.passed} tests passed`;
      return `Passed${took === undefined ? '' : ` in ${durationText(took)}`}${passed}`;
    }
    case 'failed':
      return `Failed${after}${reason}${firstFailure(job)}`;
    case 'canceled':
      return `Canceled${after}${reason.startsWith(': canceled') ? reason.slice('canceled'.length + 2) : reason}`;
    default:
      return job.status;
  }
}

/** The first failed test, for a status description: ` · name: message`. */
export function firstFailure(job: Pick<TestJobRecord, 'report'>): string {
  const first = job.report?.failures[0];
  return first === undefined ? '' : ` · ${first.name}: ${first.message}`;
}

/** The simple form's one job, whose report and coverage go on the stage's own status. */
export function singleJobOf(stage: StageRecord | undefined): TestJobRecord | undefined {
  return stage?.jobsForm === 'single' ? stage.jobs?.[0] : undefined;
}
