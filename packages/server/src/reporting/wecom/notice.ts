import type {
  Person,
  PipelineRecord,
  StageName,
  StageRecord,
  TestReportSummary,
  Trigger,
} from '@ferry/shared';
import { elapsedMs } from '../duration-text.js';
import type { Transition } from '../reporter.js';
import { rolledBackTo, wasRolledBack } from '../rollback.js';

export type NoticeKind =
  | 'started'
  | 'deploying'
  | 'approved'
  | 'waiting'
  | 'succeeded'
  | 'failed'
  | 'rolled_back'
  | 'canceled';

/**
 * What a WeCom message says about one pipeline step, as data: queued as it was when the step
 * happened and rendered (escaped, in the bot's language, alone or with others) when sent.
 * Strings here are raw user text; only the renderer makes them safe.
 */
export interface Notice {
  kind: NoticeKind;
  pipelineId: string;
  /** Ferry's page for the pipeline. */
  url: string;
  project: string;
  environment: string;
  ref: string;
  sha: string;
  commitTitle: string;
  trigger: Trigger;
  user: Person;
  mergeRequest?: { iid: number; title: string; sourceBranch: string };
  durationMs?: number;
  /** The stage that failed. */
  stage?: StageName;
  /** Its page (the log). */
  stageUrl?: string;
  reason?: string;
  /** The last lines of the failed stage's log, oldest first. */
  logTail?: string[];
  /** The first line of that log that reads like an error, when it is not among the last lines. */
  firstError?: string;
  imageTag?: string;
  /** A success whose deploy stage did not run (off, or a merge request check): nothing was deployed. */
  notDeployed?: boolean;
  rolledBackTo?: string;
  approvedBy?: string;
  canceledBy?: string;
  /** When an approval wait ends (ISO). */
  deadline?: string;
  /** The failed test stage's test reports: counts and the first failed tests (names, messages). */
  tests?: { counts: string; failures: { job?: string; name: string; message: string }[] };
  /** The WeCom user id of the person who merged, for `<@id>` on failures. */
  mention?: string;
  at: string;
}

/**
 * Which message a transition asks for: the pipeline's own steps, and the deploy stage starting
 * (`deploying`; not after an approval, whose message already says it deploys). Other stage steps
 * say nothing: the pipeline's own say it all.
 */
export function noticeKindFor(transition: Transition, pipeline: PipelineRecord): NoticeKind | undefined {
  // A merge request's checks are shown on the merge request (commit statuses), not in the group.
  if (pipeline.kind === 'merge_request') return undefined;
  // A canary step is shown on the pipeline page and in GitLab's environments, not in the group.
  if (transition.kind === 'canary') return undefined;
  if (transition.kind === 'stage') {
    const approved = pipeline.approval?.approvedAt !== undefined;
    return transition.stage === 'deploy' && transition.status === 'running' && !approved
      ? 'deploying'
      : undefined;
  }
  switch (transition.status) {
    case 'running': {
      const approvedAt = pipeline.approval?.approvedAt;
      return approvedAt !== undefined && transition.at >= approvedAt ? 'approved' : 'started';
    }
    case 'waiting_approval':
      return 'waiting';
    case 'success':
      return 'succeeded';
    case 'failed': {
      const failed = pipeline.stages.find((s) => s.status === 'failed');
      return wasRolledBack(failed?.reason, pipeline.reason) ? 'rolled_back' : 'failed';
    }
    case 'canceled':
      return 'canceled';
    default:
      return undefined;
  }
}

export interface NoticeExtras {
  url: string;
  stageUrl?: (stage: StageName) => string;
  logTail?: string[];
  firstError?: string;
  imageTag?: string;
  mention?: string;
}

/** The notice for a transition of `pipeline` (see noticeKindFor). */
export function buildNotice(
  kind: NoticeKind,
  transition: Transition,
  pipeline: PipelineRecord,
  extras: NoticeExtras,
): Notice {
  const notice: Notice = {
    kind,
    pipelineId: pipeline.id,
    url: extras.url,
    project: pipeline.project.path,
    environment: pipeline.environment,
    ref: pipeline.ref,
    sha: pipeline.sha,
    commitTitle: pipeline.commitTitle,
    trigger: pipeline.trigger,
    user: { username: pipeline.user.username, name: pipeline.user.name },
    at: transition.at,
  };
  if (pipeline.mergeRequest !== undefined) {
    const { iid, title, sourceBranch } = pipeline.mergeRequest;
    notice.mergeRequest = { iid, title, sourceBranch };
  }
  const took = elapsedMs(pipeline.startedAt, pipeline.finishedAt);
  if (
    took !== undefined &&
    (kind === 'succeeded' || kind === 'failed' || kind === 'rolled_back' || kind === 'canceled')
  ) {
    notice.durationMs = took;
  }
  if (kind === 'waiting' && pipeline.approval?.deadline !== undefined)
    notice.deadline = pipeline.approval.deadline;
  if (kind === 'approved' && pipeline.approval?.approvedBy !== undefined) {
    notice.approvedBy = pipeline.approval.approvedBy;
  }
  if (kind === 'succeeded' && extras.imageTag !== undefined) notice.imageTag = extras.imageTag;
  if (kind === 'succeeded' && !pipeline.stages.some((s) => s.name === 'deploy' && s.status === 'success'))
    notice.notDeployed = true;
  if (kind === 'canceled') {
    const by = /^canceled by (.+)$/i.exec(pipeline.reason ?? '')?.[1];
    if (by !== undefined) notice.canceledBy = by;
  }
  if (kind === 'failed' || kind === 'rolled_back') {
    const failed = pipeline.stages.find((s) => s.status === 'failed');
    if (failed !== undefined) {
      notice.stage = failed.name;
      if (extras.stageUrl !== undefined) notice.stageUrl = extras.stageUrl(failed.name);
    }
    const reason = failed?.reason ?? pipeline.reason;
    if (reason !== undefined) notice.reason = reason;
    const target = rolledBackTo(failed?.reason, pipeline.reason);
    if (target !== undefined) notice.rolledBackTo = target;
    if (extras.logTail !== undefined && extras.logTail.length > 0) notice.logTail = extras.logTail;
    if (extras.mention !== undefined) notice.mention = extras.mention;
    if (extras.firstError !== undefined) notice.firstError = extras.firstError;
    const tests = failed === undefined ? undefined : failedTests(failed);
    if (tests !== undefined) notice.tests = tests;
  }
  return notice;
}

/** Most failed tests a message names. */
export const MAX_NOTICE_FAILURES = 5;

/** The counts and first failed tests of a failed test stage's reports; undefined without reports. */
function failedTests(stage: StageRecord): Notice['tests'] {
  const withReports = (stage.jobs ?? []).filter((j) => j.report !== undefined);
  if (withReports.length === 0) return undefined;
  const named = stage.jobsForm === 'jobs';
  let failed = 0;
  let total = 0;
  const failures: NonNullable<Notice['tests']>['failures'] = [];
  for (const job of withReports) {
    const report = job.report as TestReportSummary;
    failed += report.failed;
    total += report.passed + report.failed + report.skipped;
    for (const f of report.failures) {
      if (failures.length >= MAX_NOTICE_FAILURES) break;
      failures.push(
        named ? { job: job.name, name: f.name, message: f.message } : { name: f.name, message: f.message },
      );
    }
  }
  return { counts: `${failed}/${total}`, failures };
}
