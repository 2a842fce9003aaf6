import { type TestJobRecord, testJobLogKey } from '@ferry/shared';
import type { StageJob } from '../executors/executor.js';
import type { LogStore } from '../logs/log-store.js';
import type { JobOutcome } from './executor-stage-runner.js';
import type { TestStageJobs } from './stage-jobs.js';
import type { StageOutcome, StageRunRequest } from './stage-runner.js';
import { reportText } from './test-report-text.js';

type RunJob = (
  job: StageJob,
  logKey: string,
  signal: AbortSignal,
  onStarted: (runnerId: string) => Promise<void>,
) => Promise<JobOutcome>;

/**
 * The test stage: every job in its own runner at the same time, each with its own log
 * (`test:<job>`; the simple form's one job keeps the stage's log `test`). The stage passes when
 * every job passes; with failFast the first failing job cancels the others. Each job's record
 * (runner, status, report, coverage) goes to `request.onJob` as it changes.
 */
export async function runTestJobs(
  request: StageRunRequest,
  set: TestStageJobs,
  logs: Pick<LogStore, 'writer'>,
  runJob: RunJob,
): Promise<StageOutcome> {
  const failFast = new AbortController();
  const signal = AbortSignal.any([request.signal, failFast.signal]);
  const summary = set.form === 'jobs' ? logs.writer(request.pipeline.id, request.stage) : undefined;
  summary?.system(
    `ferry: ${set.jobs.length} jobs side by side: ${set.jobs.map((j) => j.testJob?.name).join(', ')}${set.failFast ? ' (failFast: a failing job cancels the others)' : ''}`,
  );
  let firstFailure: string | undefined;
  const record = async (job: TestJobRecord) => request.onJob?.(job, set.form);
  const outcomes = await Promise.all(
    set.jobs.map(async (job) => {
      const name = job.testJob?.name ?? 'test';
      let current: TestJobRecord = { name, status: 'running', startedAt: new Date().toISOString() };
      await record(current);
      const outcome = await runJob(job, testJobLogKey(name, set.form), signal, async (runnerId) => {
        current = { ...current, runnerId };
        await record(current);
        if (set.form === 'single') await request.onStarted(runnerId);
      });
      let status = outcome.status;
      let reason = outcome.reason;
      if (status === 'canceled' && failFast.signal.aborted && !request.signal.aborted) {
        reason = `canceled: job ${firstFailure ?? 'another job'} failed (failFast)`;
      }
      const counts = outcome.report === undefined ? '' : reportText(outcome.report);
      if (status === 'failed' && counts !== '') reason = `${reason ?? 'failed'}; ${counts}`;
      if (status === 'success' && outcome.report !== undefined && outcome.report.failed > 0) {
        // The script passed but its own reports say tests failed: the reports are believed.
        status = 'failed';
        reason = `the script passed but ${counts}`;
      }
      const ended: TestJobRecord = { ...current, status, finishedAt: new Date().toISOString() };
      if (reason !== undefined) ended.reason = reason;
      if (outcome.report !== undefined) ended.report = outcome.report;
      if (outcome.coverage !== undefined) ended.coverage = outcome.coverage;
      await record(ended);
      summary?.system(`ferry: job ${name} ${status}${reason === undefined ? '' : `: ${reason}`}`);
      if (status === 'failed' && firstFailure === undefined) {
        firstFailure = name;
        if (set.failFast && set.jobs.length > 1) failFast.abort();
      }
      return ended;
    }),
  );
  await summary?.close();
  return stageOutcome(request, set.form, outcomes);
}

/** The stage's outcome from its jobs': failed when one failed, canceled when canceled, else success. Pure. */
export function stageOutcome(
  request: Pick<StageRunRequest, 'signal'>,
  form: 'single' | 'jobs',
  jobs: readonly TestJobRecord[],
): StageOutcome {
  const failed = jobs.filter((j) => j.status === 'failed');
  if (request.signal.aborted && failed.length === 0) return { status: 'canceled', reason: 'canceled' };
  if (failed.length > 0) {
    if (form === 'single') return withReason('failed', failed[0]?.reason);
    const first = failed[0] as TestJobRecord;
    const more = failed.length > 1 ? ` (and ${failed.length - 1} more)` : '';
    return withReason(
      'failed',
      `job ${first.name} failed${more}${first.reason === undefined ? '' : `: ${first.reason}`}`,
    );
  }
  if (jobs.some((j) => j.status === 'canceled')) return { status: 'canceled', reason: 'canceled' };
  return { status: 'success' };
}

function withReason(status: StageOutcome['status'], reason: string | undefined): StageOutcome {
  return reason === undefined ? { status } : { status, reason };
}
