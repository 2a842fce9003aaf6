import {
  isTerminalPipeline,
  isTerminalStage,
  type Logger,
  type PipelineRecord,
  type PipelineStatus,
  type StageName,
  type StageRecord,
  type TestJobRecord,
} from '@ferry/shared';
import type { PipelineQueue } from '../queue/pipeline-queue.js';
import type { StageOutcome, StageRunner } from '../stages/stage-runner.js';
import type { PipelineStore } from '../store/pipeline-store.js';
import type { PipelineObserver } from './observer.js';
import { applyStageEnd, settleStageEnd } from './stage-ends/settle-stage-end.js';
import type { StageEndEntry } from './stage-ends/stage-end-entry.js';
import type { StageEndJournal } from './stage-ends/stage-end-journal.js';

export interface RunDeps {
  store: PipelineStore;
  queue: PipelineQueue;
  runner: StageRunner;
  logger: Logger;
  observer: PipelineObserver;
  stageTimeoutMs(pipeline: PipelineRecord, stage: StageName): Promise<number>;
  approvalTimeoutMs(pipeline: PipelineRecord): number;
  /** The stages the pipeline's spec runs (others end `skipped`); undefined when unknown (run all). */
  stagesToRun?(pipeline: PipelineRecord): Promise<readonly StageName[] | undefined>;
  /** Keeps stage ends while Redis is away (written when it returns); absent: stored directly. */
  stageEnds?: Pick<StageEndJournal, 'end'>;
}

const live: readonly PipelineStatus[] = ['queued', 'running', 'waiting_approval'];

/**
 * Runs (or resumes) a pipeline: stages in order, stopping at the first that does not succeed,
 * pausing before deploy when the environment needs approval. Idempotent over the stored stage
 * states, so a job re-delivered after a crash continues where the dead worker stopped.
 */
export async function runPipeline(deps: RunDeps, pipelineId: string, cancel: AbortSignal): Promise<void> {
  const { store, logger } = deps;
  let pipeline = await store.get(pipelineId);
  if (pipeline === undefined || isTerminalPipeline(pipeline.status)) return;
  const log = logger.child({ pipelineId, project: pipeline.project.path, environment: pipeline.environment });

  if (pipeline.cancelRequested || cancel.aborted) {
    await endPipeline(deps, pipeline, 'canceled', 'canceled');
    return;
  }
  if (pipeline.status === 'queued') {
    const startedAt = new Date().toISOString();
    if (!(await store.transition(pipelineId, ['queued'], 'running', { startedAt }))) return;
    deps.observer.started(pipeline, new Date(startedAt));
    log.info('pipeline started');
  } else if (pipeline.status === 'waiting_approval') {
    if (pipeline.approval?.approvedAt === undefined) return;
    if (!(await store.transition(pipelineId, ['waiting_approval'], 'running'))) return;
    log.info({ approvedBy: pipeline.approval.approvedBy }, 'approved: resuming');
  } else {
    log.warn('resuming a pipeline that was running when its worker stopped');
  }
  pipeline = (await store.get(pipelineId)) ?? pipeline;

  const enabled = await deps.stagesToRun?.(pipeline);
  for (const stage of pipeline.stages) {
    if (stage.status === 'failed' || stage.status === 'canceled') {
      // Ended by a run that stopped before ending the pipeline (its Ferry died, or stalled and
      // was replaced): the pipeline ends as that stage did, never `success` past it.
      await endPipeline(deps, pipeline, stage.status, endReason(stage.status, stage.name, stage.reason));
      return;
    }
    if (isTerminalStage(stage.status)) continue;
    if (enabled !== undefined && !enabled.includes(stage.name)) {
      // An end like any other: recorded once, even when another run of this pipeline (a job
      // delivered again, another replica) skips the same stage from an older read.
      await store.endStage(pipeline.id, {
        ...stage,
        status: 'skipped',
        reason: 'disabled in the pipeline spec',
        finishedAt: new Date().toISOString(),
      });
      continue;
    }
    if (
      stage.name === 'deploy' &&
      pipeline.approval?.required &&
      pipeline.approval.approvedAt === undefined
    ) {
      await waitForApproval(deps, pipeline);
      return;
    }
    // Read again: what earlier stages recorded (the build's image) goes into this stage's job.
    pipeline = (await store.get(pipelineId)) ?? pipeline;
    const outcome = await runStage(deps, pipeline, stage, cancel, log);
    // Another Ferry ended this attempt (it took the pipeline over): the pipeline is its now.
    if (outcome === 'taken') return;
    if (outcome !== 'success') {
      const ended = (await store.get(pipelineId))?.stages.find((s) => s.name === stage.name);
      await endPipeline(deps, pipeline, outcome, endReason(outcome, stage.name, ended?.reason));
      return;
    }
  }
  await endPipeline(deps, pipeline, 'success', undefined);
}

/** A pipeline's reason when one of its stages ended without success. Pure. */
function endReason(status: 'failed' | 'canceled', stage: StageName, reason: string | undefined): string {
  if (status === 'canceled') return 'canceled';
  return `stage ${stage} failed${reason === undefined ? '' : `: ${reason}`}`;
}

async function runStage(
  deps: RunDeps,
  pipeline: PipelineRecord,
  stage: StageRecord,
  cancel: AbortSignal,
  log: Logger,
): Promise<'success' | 'failed' | 'canceled' | 'taken'> {
  const { store, runner } = deps;
  if (stage.status === 'running') {
    // The runner of the attempt a crashed Ferry was running may have finished: then its outcome
    // is this stage's, and the stage never runs twice.
    const adopted = await adoptEarlier(deps, pipeline, stage, cancel, log);
    if (adopted !== undefined) return adopted;
  }
  const attempt = stage.attempts + 1;
  const running: StageRecord = {
    name: stage.name,
    status: 'running',
    attempts: attempt,
    startedAt: new Date().toISOString(),
    // Until this attempt's own runner is recorded, the earlier one stays named on the stage: a
    // Ferry that dies before destroying it leaves it findable (destroyed or adopted by the next).
    ...(stage.status === 'running' && stage.runnerId !== undefined ? { runnerId: stage.runnerId } : {}),
  };
  // The attempt is claimed, not just written: two Ferries running this pipeline at once (a job
  // redelivered while its first worker still lives) never both start it. Claimed before the
  // earlier runner is destroyed, so the Ferry that ran it can no longer end the stage with the kill.
  if (!(await store.putStageAttempt(pipeline.id, running, stage.attempts))) {
    log.warn(
      { stage: stage.name, attempt },
      'another Ferry claimed this stage attempt first: leaving the pipeline to it',
    );
    return 'taken';
  }
  if (stage.status === 'running') {
    // The earlier attempt's runners (one per test job) may still be alive: destroyed before this
    // attempt starts, so one stage never runs twice at the same time.
    const runnerIds = new Set([stage.runnerId, ...(stage.jobs ?? []).map((j) => j.runnerId)]);
    for (const runnerId of runnerIds) {
      if (runnerId !== undefined) await runner.destroy(runnerId, AbortSignal.timeout(60_000));
    }
  }
  log.info({ stage: stage.name, attempt }, 'stage started');

  const timeoutMs = await deps.stageTimeoutMs(pipeline, stage.name);
  const timeout = AbortSignal.timeout(timeoutMs);
  // Aborted when another Ferry took the stage over: this attempt's runner must not start or go on.
  const superseded = new AbortController();
  const signal = AbortSignal.any([cancel, timeout, superseded.signal]);
  let current = running;
  let saving: Promise<void> = Promise.resolve();
  // Records the running attempt only while it is still the stage's; Redis away: it runs on (its
  // end carries the runner and jobs), and only a crash before Redis returns reruns the stage.
  const keep = async (what: Record<string, string>): Promise<void> => {
    const ours = await store.putStageAttempt(pipeline.id, current, attempt).catch((err: unknown) => {
      log.warn({ err, stage: stage.name, ...what }, 'running stage not stored (Redis unreachable?)');
      return true;
    });
    if (ours || superseded.signal.aborted) return;
    log.warn(
      { stage: stage.name, attempt, ...what },
      'another Ferry took this stage over: stopping this attempt runner',
    );
    superseded.abort();
  };
  let outcome: StageOutcome;
  try {
    outcome = await runner.run({
      pipeline,
      stage: stage.name,
      attempt,
      signal,
      handOver: true,
      onStarted: async (runnerId) => {
        current = { ...current, runnerId };
        await keep({ runner: runnerId });
      },
      // Jobs end side by side: their records are written one after another, never lost to a race.
      onJob: (job, form) => {
        saving = saving.then(async () => {
          current = { ...current, jobsForm: form, jobs: upsertJob(current.jobs ?? [], job) };
          await keep({ job: job.name });
        });
        return saving;
      },
    });
    await saving;
  } catch (err) {
    log.error({ err, stage: stage.name }, 'stage runner failed');
    outcome = { status: 'failed', reason: `runner error: ${(err as Error).message}` };
  }
  if (timeout.aborted && !cancel.aborted) {
    outcome = { ...outcome, status: 'failed', reason: `timed out after ${formatMs(timeoutMs)}` };
  } else if (cancel.aborted) {
    outcome = { ...outcome, status: 'canceled', reason: 'canceled' };
  }
  return endAttempt(deps, pipeline, current, outcome, log);
}

/**
 * Asks the stage runner how the runner of a crashed attempt ends: one still running is followed
 * to its end, within what is left of the stage's timeout (from the attempt's start) and until the
 * pipeline is canceled; a finished one's outcome ends that attempt (undefined: it never started or
 * is gone, or there is no one runner to ask).
 */
async function adoptEarlier(
  deps: RunDeps,
  pipeline: PipelineRecord,
  stage: StageRecord,
  cancel: AbortSignal,
  log: Logger,
): Promise<'success' | 'failed' | 'canceled' | 'taken' | undefined> {
  const ids = [...new Set([stage.runnerId, ...(stage.jobs ?? []).map((j) => j.runnerId)])].filter(
    (id): id is string => id !== undefined,
  );
  // Named test jobs (several runners, reports per job) are run again rather than adopted.
  const [runnerId] = ids;
  if (
    runnerId === undefined ||
    ids.length !== 1 ||
    stage.jobsForm === 'jobs' ||
    deps.runner.adopt === undefined
  )
    return undefined;
  const timeoutMs = await deps.stageTimeoutMs(pipeline, stage.name);
  const started = Date.parse(stage.startedAt ?? '');
  const leftMs = Number.isNaN(started) ? timeoutMs : started + timeoutMs - Date.now();
  const timeout = AbortSignal.timeout(Math.max(1_000, leftMs));
  let outcome: StageOutcome | undefined;
  try {
    outcome = await deps.runner.adopt({
      pipeline,
      stage: stage.name,
      attempt: stage.attempts,
      runnerId,
      signal: AbortSignal.any([cancel, timeout]),
    });
  } catch (err) {
    // Cut short while the runner still ran: the attempt ends as a run of it would (its runner destroyed).
    if (cancel.aborted || timeout.aborted) {
      const reason = cancel.aborted ? 'canceled' : `timed out after ${formatMs(timeoutMs)}`;
      const status = cancel.aborted ? 'canceled' : 'failed';
      log.warn({ stage: stage.name, runner: runnerId, reason }, 'the adopted runner did not end in time');
      return endAttempt(deps, pipeline, stage, { status, reason, runners: [runnerId] }, log);
    }
    log.warn(
      { err, stage: stage.name, runner: runnerId },
      'could not ask how the earlier runner ended: running the stage again',
    );
    return undefined;
  }
  if (outcome === undefined) return undefined;
  log.warn(
    { stage: stage.name, attempt: stage.attempts, runner: runnerId, status: outcome.status },
    'adopted a runner that finished while no Ferry watched it',
  );
  return endAttempt(deps, pipeline, stage, outcome, log);
}

/** Ends one attempt (its running record) with an outcome, once; 'taken' when another Ferry ended it. */
async function endAttempt(
  deps: RunDeps,
  pipeline: PipelineRecord,
  current: StageRecord,
  outcome: StageOutcome,
  log: Logger,
): Promise<'success' | 'failed' | 'canceled' | 'taken'> {
  const attempt = current.attempts;
  const stage = { name: current.name };
  const finished: StageRecord = { ...current, status: outcome.status, finishedAt: new Date().toISOString() };
  if (outcome.reason !== undefined) finished.reason = outcome.reason;
  else delete finished.reason;
  const entry: StageEndEntry = {
    version: 1,
    pipelineId: pipeline.id,
    stage: finished,
    runners: outcome.runners ?? [],
    ...(outcome.printed === undefined ? {} : { printed: outcome.printed }),
  };
  const ended = await (deps.stageEnds?.end(entry) ?? applyStageEnd(deps, entry));
  await settleStageEnd(deps, entry, ended);
  if (!ended) {
    log.warn(
      { stage: stage.name, attempt },
      'this stage attempt was already ended by another Ferry: leaving the pipeline to it',
    );
    return 'taken';
  }
  log.info({ stage: stage.name, attempt, status: outcome.status, reason: outcome.reason }, 'stage finished');
  return outcome.status;
}

function upsertJob(jobs: readonly TestJobRecord[], job: TestJobRecord): TestJobRecord[] {
  const at = jobs.findIndex((j) => j.name === job.name);
  return at === -1 ? [...jobs, job] : jobs.map((j, i) => (i === at ? job : j));
}

async function waitForApproval(deps: RunDeps, pipeline: PipelineRecord): Promise<void> {
  const timeoutMs = deps.approvalTimeoutMs(pipeline);
  const deadline = new Date(Date.now() + timeoutMs).toISOString();
  const approval = { required: true, deadline };
  if (!(await deps.store.transition(pipeline.id, ['running'], 'waiting_approval', { approval }))) return;
  await deps.queue.scheduleApprovalTimeout(pipeline.id, timeoutMs);
  deps.logger.info({ pipelineId: pipeline.id, deadline }, 'waiting for approval');
}

/** Ends a pipeline (pending stages skipped or canceled), frees its lane and queues the next. */
export async function endPipeline(
  deps: Pick<RunDeps, 'store' | 'queue' | 'observer' | 'logger'>,
  pipeline: PipelineRecord,
  status: 'success' | 'failed' | 'canceled' | 'skipped',
  reason: string | undefined,
): Promise<boolean> {
  const at = new Date().toISOString();
  // Work from the stored stages, not the caller's copy, which may predate the stages it ran.
  const latest = (await deps.store.get(pipeline.id)) ?? pipeline;
  for (const stage of latest.stages) {
    if (isTerminalStage(stage.status)) continue;
    const ended: StageRecord = {
      ...stage,
      status: status === 'canceled' ? 'canceled' : 'skipped',
      finishedAt: at,
    };
    if (stage.status === 'running') ended.reason = status === 'canceled' ? 'canceled' : 'pipeline ended';
    // Refused (nothing written) when this attempt's end was recorded after our read.
    await deps.store.endStage(pipeline.id, ended);
  }
  const patch = reason === undefined ? { finishedAt: at } : { finishedAt: at, reason };
  const { moved, next } = await deps.store.finish(pipeline.id, pipeline.lane, live, status, patch);
  if (moved) {
    deps.observer.finished({ ...latest, status, finishedAt: at });
    deps.logger.info({ pipelineId: pipeline.id, status, reason }, 'pipeline finished');
  }
  if (next !== undefined) await enqueueNext(deps, next);
  return moved;
}

export async function enqueueNext(deps: Pick<RunDeps, 'store' | 'queue'>, pipelineId: string): Promise<void> {
  const next = await deps.store.get(pipelineId);
  if (next === undefined || isTerminalPipeline(next.status)) return;
  const jobId = await deps.queue.enqueueRun(next.id, next.priority, next.jobId ?? next.id);
  await deps.store.patch(next.id, { jobId });
}

function formatMs(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
