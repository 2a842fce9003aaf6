import type { TestJobRecord } from './test-jobs.js';

/** The records Ferry stores for every pipeline, and their states. */

export const stageNames = ['test', 'build', 'deploy'] as const;
export type StageName = (typeof stageNames)[number];

export const pipelineStatuses = [
  'queued',
  'running',
  'waiting_approval',
  'success',
  'failed',
  'canceled',
  'skipped',
] as const;
export type PipelineStatus = (typeof pipelineStatuses)[number];

export const stageStatuses = ['pending', 'running', 'success', 'failed', 'canceled', 'skipped'] as const;
export type StageStatus = (typeof stageStatuses)[number];

export const triggers = ['push', 'merge', 'manual', 'retry', 'rollback', 'merge_request'] as const;
export type Trigger = (typeof triggers)[number];

/**
 * `environment`: a pipeline of an environment branch (test, build, deploy). `merge_request`: the
 * checks of an open merge request into an environment branch, the test stage only, on its source
 * commit; it never builds or deploys.
 */
export const pipelineKinds = ['environment', 'merge_request'] as const;
export type PipelineKind = (typeof pipelineKinds)[number];

export interface ProjectRef {
  /** GitLab's numeric project id. */
  id: number;
  /** `group/subgroup/name` */
  path: string;
  webUrl: string;
  cloneUrl: string;
}

export interface Person {
  username: string;
  name: string;
}

export interface MergeRequestRef {
  iid: number;
  title: string;
  sourceBranch: string;
  url: string;
}

export interface StageRecord {
  name: StageName;
  status: StageStatus;
  /** Why it ended as it did, for people: "exit code 1", "timed out after 15m", … */
  reason?: string;
  /** How many times it was started (a crash-recovered stage runs again after its runner is destroyed). */
  attempts: number;
  /** The executor's handle for the runner of the current attempt, so it can be destroyed. */
  runnerId?: string;
  startedAt?: string;
  finishedAt?: string;
  /**
   * The test stage's jobs (absent on other stages and on records from before jobs): `single` is
   * the simple form, one job named `test` reported under the stage's own status; `jobs` are named
   * jobs reported as `ferry/test:<job>`.
   */
  jobsForm?: 'single' | 'jobs';
  jobs?: TestJobRecord[];
}

export interface ApprovalRecord {
  required: boolean;
  approvedBy?: string;
  approvedAt?: string;
  /** When the wait ends the pipeline unapproved (ISO time). */
  deadline?: string;
}

/** The image the build stage pushed: every running pod maps to it and to one commit. */
export interface ImageRecord {
  /** `<registry>/<repository>@sha256:…`, what change pod deploys. */
  reference: string;
  digest: string;
  tags: string[];
}

/** What change pod did. */
export interface ReleaseRecord {
  deployed?: string;
  namespace?: string;
  revision?: string;
  /** The commit the environment was rolled back to after a failed rollout (null: nothing to roll back to). */
  rolledBackTo?: string | null;
}

/**
 * One object change pod applies, as the pipeline record keeps it: Secret values redacted, the
 * whole list bounded in size (docs/api.md).
 */
export interface ManifestRecord {
  kind: string;
  name: string;
  namespace?: string;
  /** What the apply did (created, configured, unchanged), when the runner reported it. */
  action?: string;
  /** The object as YAML; a truncation marker instead (or at its end) once the size cap is reached. */
  yaml: string;
}

/** One canary step of a pipeline's deploy, as its runner reported it. */
export interface CanaryStepRecord {
  /** 1-based index among the spec's steps; `of` counts them (the last, 100%, is the full rollout). */
  step: number;
  of: number;
  percent: number;
  state: 'running' | 'promoted' | 'aborted';
  /** What decided it (the pause elapsed, a decision, the pods not becoming ready). */
  by?: string;
  /** When Ferry recorded this state. */
  at: string;
}

/** A promote or abort of a running canary step, decided through Ferry (API, dashboard, CLI). */
export interface CanaryDecisionRecord {
  verdict: 'promote' | 'abort';
  /** Who decided (the API caller). */
  by: string;
  /** When Ferry wrote the decision to the canary Deployment (ISO time). */
  at: string;
  /** The step the canary Deployment ran then, as its annotation says (`1/3 10%`). */
  step?: string;
}

/** A deployment GitLab shows for a pipeline (Deployments API: Environments page, MR widget). */
export interface GitLabDeploymentRecord {
  /** GitLab's deployment id. */
  id: number;
  /** The GitLab environment: the pipeline's, or `<environment>/canary` for a canary step. */
  environment: string;
  /**
   * `deploy`: the pipeline's deploy; `rollback`: the automatic rollback after a failed rollout;
   * `canary`: one canary step (`step`).
   */
  kind: 'deploy' | 'rollback' | 'canary';
  step?: number;
  sha: string;
  status: 'running' | 'success' | 'failed' | 'canceled';
}

export interface PipelineRecord {
  id: string;
  /** Absent on records older than kinds: those are `environment` pipelines. */
  kind?: PipelineKind;
  /** A merge request from a fork run without any of Ferry's secrets (not even the clone token). */
  withoutSecrets?: boolean;
  project: ProjectRef;
  environment: string;
  ref: string;
  sha: string;
  trigger: Trigger;
  user: Person;
  commitTitle: string;
  mergeRequest?: MergeRequestRef;
  status: PipelineStatus;
  reason?: string;
  stages: StageRecord[];
  /** Lower runs first (BullMQ priority); production is not starved by test merges. */
  priority: number;
  /** Serialisation lane: one pipeline at a time per project + environment. */
  lane: string;
  approval?: ApprovalRecord;
  retryOf?: string;
  /** A rollback: the successful pipeline whose image this one deploys again, without a rebuild. */
  rollbackOf?: string;
  cancelRequested?: boolean;
  image?: ImageRecord;
  release?: ReleaseRecord;
  /** The objects change pod applies, rendered when the deploy stage starts. */
  manifests?: ManifestRecord[];
  /** Canary decisions made through Ferry while the deploy ran, oldest first (the audit trail's canary steps). */
  canaryDecisions?: CanaryDecisionRecord[];
  /** GitLab's id of the external pipeline that holds this pipeline's commit statuses. */
  gitlabPipelineId?: number;
  /** The deployments GitLab shows for this pipeline, oldest first. */
  gitlabDeployments?: GitLabDeploymentRecord[];
  /** The canary steps of the deploy, latest state of each, in step order. */
  canarySteps?: CanaryStepRecord[];
  /** The queue job currently carrying this pipeline (first run, resume after approval, recovery). */
  jobId?: string;
  createdAt: string;
  queuedAt: string;
  startedAt?: string;
  finishedAt?: string;
}

const terminalPipeline: ReadonlySet<PipelineStatus> = new Set(['success', 'failed', 'canceled', 'skipped']);
const terminalStage: ReadonlySet<StageStatus> = new Set(['success', 'failed', 'canceled', 'skipped']);

export function isTerminalPipeline(status: PipelineStatus): boolean {
  return terminalPipeline.has(status);
}

export function isTerminalStage(status: StageStatus): boolean {
  return terminalStage.has(status);
}

export function laneOf(projectId: number, environment: string): string {
  return `${projectId}:${environment}`;
}
