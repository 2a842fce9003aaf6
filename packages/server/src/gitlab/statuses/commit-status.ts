import type { PipelineRecord, StageName } from '@ferry/shared';
import { durationText, elapsedMs } from '../../reporting/duration-text.js';
import { clipChars, oneLine } from '../../reporting/plain-text.js';
import type { Transition } from '../../reporting/reporter.js';
import { rolledBackTo } from '../../reporting/rollback.js';
import { firstFailure, jobStatusesFor, singleJobOf } from './job-statuses.js';

/** The states GitLab's commit status API accepts. */
export type GitLabState = 'pending' | 'running' | 'success' | 'failed' | 'canceled' | 'skipped';

/** One commit status to post: what `POST /projects/:id/statuses/:sha` takes, and where it belongs. */
export interface StatusUpdate {
  projectId: number;
  /** The project path, for logs. */
  project: string;
  sha: string;
  ref: string;
  /** `ferry` for the pipeline, `ferry/<stage>` for a stage. */
  name: string;
  state: GitLabState;
  description: string;
  targetUrl?: string;
  pipelineId: string;
  /** A test job's coverage percentage (GitLab's commit status `coverage`). */
  coverage?: number;
}

export interface StatusLinks {
  pipelineUrl(pipelineId: string, stage?: string): string;
}

/** The pipeline's status name; each stage's is `ferry/<stage>`. */
export const PIPELINE_STATUS_NAME = 'ferry';
/** GitLab refuses a description, ref or target_url longer than this (characters). */
export const GITLAB_FIELD_MAX = 255;

export function statusName(stage?: StageName): string {
  return stage === undefined ? PIPELINE_STATUS_NAME : `${PIPELINE_STATUS_NAME}/${stage}`;
}

/**
 * The commit status a transition asks for, or undefined when GitLab needs none. The transition's
 * status is the truth; the record (possibly newer) gives durations and reasons of terminal steps.
 * A pipeline waiting for approval is shown on its deploy status: the pipeline's own status is
 * `running`, and GitLab cannot move it back to `pending`.
 */
export function statusUpdateFor(
  transition: Transition,
  pipeline: PipelineRecord,
  links: StatusLinks,
): StatusUpdate | undefined {
  const base = (name: string, state: GitLabState, description: string, stage?: StageName): StatusUpdate => {
    const url = links.pipelineUrl(pipeline.id, stage);
    const update: StatusUpdate = {
      projectId: pipeline.project.id,
      project: pipeline.project.path,
      sha: pipeline.sha,
      ref: pipeline.ref,
      name,
      state,
      description: clipChars(oneLine(description), GITLAB_FIELD_MAX),
      pipelineId: pipeline.id,
    };
    if (url.length <= GITLAB_FIELD_MAX && /^https?:\/\//.test(url)) update.targetUrl = url;
    return update;
  };
  const env = oneLine(pipeline.environment);
  // Canary steps are GitLab deployments (gitlab/deployments), not commit statuses.
  if (transition.kind === 'canary') return undefined;

  if (transition.kind === 'stage') {
    const stage = transition.stage;
    const record = pipeline.stages.find((s) => s.name === stage);
    const same = record?.status === transition.status ? record : undefined;
    // The simple form's one job: its coverage and first failed test go on the stage's status.
    const single = same === undefined ? undefined : singleJobOf(same);
    const withJob = (update: StatusUpdate): StatusUpdate =>
      single?.coverage === undefined ? update : { ...update, coverage: single.coverage };
    const took = elapsedMs(same?.startedAt, same?.finishedAt);
    const after = took === undefined ? '' : ` after ${durationText(took)}`;
    const inTime = took === undefined ? '' : ` in ${durationText(took)}`;
    switch (transition.status) {
      case 'running':
        return base(statusName(stage), 'running', runningText(stage, env), stage);
      case 'success':
        return withJob(base(statusName(stage), 'success', `${doneText(stage, env)}${inTime}`, stage));
      case 'failed': {
        const target = rolledBackTo(same?.reason);
        const rolled = target === undefined ? '' : `, rolled back to ${target}`;
        const reason = same?.reason === undefined ? '' : `: ${same.reason}`;
        const test = single === undefined ? '' : firstFailure(single);
        return withJob(base(statusName(stage), 'failed', `Failed${after}${rolled}${reason}${test}`, stage));
      }
      case 'canceled':
        return base(statusName(stage), 'canceled', `Canceled${after}`, stage);
      case 'skipped':
        return base(statusName(stage), 'skipped', skippedText(pipeline), stage);
      default:
        return undefined;
    }
  }

  const took = elapsedMs(pipeline.startedAt, pipeline.finishedAt);
  const terminal = pipeline.status === transition.status;
  const inTime = took === undefined || !terminal ? '' : ` in ${durationText(took)}`;
  const after = took === undefined || !terminal ? '' : ` after ${durationText(took)}`;
  switch (transition.status) {
    case 'queued':
      return base(statusName(), 'pending', `Queued for ${env}`);
    case 'running':
      return base(statusName(), 'running', `Running for ${env}`);
    case 'waiting_approval':
      return base(statusName('deploy'), 'pending', `Waiting for approval to deploy to ${env}`, 'deploy');
    case 'success':
      return base(statusName(), 'success', `${successText(pipeline, env)}${inTime}`);
    case 'failed': {
      const failed = pipeline.stages.find((s) => s.status === 'failed');
      const target = rolledBackTo(failed?.reason, pipeline.reason);
      const rolled = target === undefined ? '' : `, rolled back to ${target}`;
      if (failed === undefined) {
        return base(statusName(), 'failed', `Failed${after}${pipeline.reason ? `: ${pipeline.reason}` : ''}`);
      }
      const reason = failed.reason === undefined ? '' : `: ${failed.reason}`;
      return base(statusName(), 'failed', `Failed at ${failed.name}${after}${rolled}${reason}`);
    }
    case 'canceled': {
      const by = /^canceled by (.+)$/i.exec(pipeline.reason ?? '')?.[1];
      return base(statusName(), 'canceled', `Canceled${by === undefined ? '' : ` by ${by}`}${after}`);
    }
    case 'skipped':
      return base(statusName(), 'skipped', pipeline.reason ? `Skipped: ${pipeline.reason}` : 'Skipped');
    default:
      return undefined;
  }
}

/**
 * Every status a transition asks for: the one of `statusUpdateFor`, and for the test stage's named
 * jobs one per job (`ferry/test:<job>`, its state from the stage record, its coverage).
 */
export function statusUpdatesFor(
  transition: Transition,
  pipeline: PipelineRecord,
  links: StatusLinks,
): StatusUpdate[] {
  const main = statusUpdateFor(transition, pipeline, links);
  const updates = main === undefined ? [] : [main];
  for (const job of jobStatusesFor(transition, pipeline)) {
    // The dashboard opens that job's log and report at `#test:<job>`.
    const url = links.pipelineUrl(pipeline.id, `test:${job.job}`);
    const update: StatusUpdate = {
      projectId: pipeline.project.id,
      project: pipeline.project.path,
      sha: pipeline.sha,
      ref: pipeline.ref,
      name: job.name,
      state: job.state,
      description: clipChars(oneLine(job.description), GITLAB_FIELD_MAX),
      pipelineId: pipeline.id,
    };
    if (url.length <= GITLAB_FIELD_MAX && /^https?:\/\//.test(url)) update.targetUrl = url;
    if (job.coverage !== undefined) update.coverage = job.coverage;
    updates.push(update);
  }
  return updates;
}

function runningText(stage: StageName, env: string): string {
  if (stage === 'test') return 'Testing';
  if (stage === 'build') return 'Building the image';
  return `Deploying to ${env}`;
}

function doneText(stage: StageName, env: string): string {
  if (stage === 'test') return 'Passed';
  if (stage === 'build') return 'Image built';
  return `Deployed to ${env}`;
}

/** What a successful pipeline did: it says "Deployed" only when its deploy stage ran and passed. */
function successText(pipeline: PipelineRecord, env: string): string {
  const passed = (name: StageName) => pipeline.stages.some((s) => s.name === name && s.status === 'success');
  if (passed('deploy')) return `Deployed to ${env}`;
  if (passed('build')) return 'Image built, not deployed';
  return 'Passed, nothing deployed';
}

function skippedText(pipeline: PipelineRecord): string {
  const failed = pipeline.stages.find((s) => s.status === 'failed');
  if (failed !== undefined) return `Skipped: ${failed.name} failed`;
  return pipeline.reason ? `Skipped: ${pipeline.reason}` : 'Skipped';
}
