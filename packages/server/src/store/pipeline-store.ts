import type {
  CanaryDecisionRecord,
  CanaryStepRecord,
  GitLabDeploymentRecord,
  MergeRequestRef,
  Person,
  PipelineRecord,
  PipelineStatus,
  StageName,
  StageRecord,
  Trigger,
} from '@ferry/shared';

/** What intake hands the store: a new pipeline, and how to recognise the same merge again. */
export interface AdmitInput {
  pipeline: PipelineRecord;
  /** Same project + environment + sha → the same pipeline (one merge = one pipeline). */
  dedupKey: string;
  /** Redelivery key (Idempotency-Key, or event UUID + webhook UUID); the first answer is replayed. */
  idempotencyKey?: string;
  /** A newer pipeline ends older ones still waiting in the lane (`skipped`). */
  supersede: boolean;
  /** Merge metadata to record when this event duplicates a pipeline created from a push. */
  mergeUpgrade?: { trigger: Trigger; user: Person; mergeRequest: MergeRequestRef };
  /** For a push: who pushed. A merge note this user left for the branch makes it the merge's pipeline. */
  pusher?: string;
}

/** A merge the forge named no new head for (see MergeNote in pipeline/intent.ts). */
export interface MergeNoteInput {
  projectId: number;
  environment: string;
  ref: string;
  user: Person;
  mergeRequest: MergeRequestRef;
  sourceSha?: string;
  /**
   * The branch's new head, when GitLab's API named it: the note goes to that sha's pipeline (or
   * waits for that sha's push) and `sourceSha`/`since` are not used.
   */
  sha?: string;
  /** The branch head's pipeline is the merge's when that user pushed it at or after this ISO time. */
  since: string;
  /** How long a note waits for its push. */
  ttlSeconds: number;
}

export type MergeNoteOutcome =
  | { kind: 'annotated'; pipelineId: string }
  /** That sha's pipeline exists but was not made by a push (already the merge's, or an API run). */
  | { kind: 'unchanged'; pipelineId: string }
  | { kind: 'pending' };

export type AdmitOutcome =
  | { kind: 'created'; pipelineId: string; enqueue: boolean; superseded: string[] }
  | { kind: 'duplicate'; pipelineId: string; updated: boolean }
  | { kind: 'replay'; response: StoredAnswer };

/** The answer first given to a delivery, replayed to redeliveries. */
export interface StoredAnswer {
  result: 'created' | 'duplicate';
  pipelineId: string;
}

export interface PipelineFilter {
  projectId?: number;
  projectPath?: string;
  environment?: string;
  status?: PipelineStatus;
  ref?: string;
}

export interface PipelinePage {
  items: PipelineRecord[];
  /** Pass back to get the next (older) page; absent at the end. */
  nextCursor?: string;
}

export type PipelinePatch = Partial<
  Pick<
    PipelineRecord,
    | 'reason'
    | 'startedAt'
    | 'finishedAt'
    | 'approval'
    | 'cancelRequested'
    | 'queuedAt'
    | 'jobId'
    | 'image'
    | 'release'
    | 'manifests'
    | 'gitlabPipelineId'
    | 'gitlabDeployments'
  >
>;

/** Pipeline records, their lanes and their transitions. One implementation per backing store. */
export interface PipelineStore {
  /**
   * Idempotency, dedup, create and lane admission in one atomic step; it also records the branch
   * head and the project (for manual triggers).
   */
  admit(input: AdmitInput): Promise<AdmitOutcome>;
  /** Annotates the pipeline of a merge's push, now or (a note) when the push comes. Atomic. */
  noteMerge(input: MergeNoteInput): Promise<MergeNoteOutcome>;
  get(id: string): Promise<PipelineRecord | undefined>;
  /** Newest first; the records leave out `manifests` (only `get` returns them). */
  list(filter: PipelineFilter, limit: number, cursor?: string): Promise<PipelinePage>;
  /**
   * Moves a pipeline to `to` if its status is one of `from` (compare-and-set), applying `patch`
   * and recording the transition. Returns false when the status was not one of `from`.
   */
  transition(
    id: string,
    from: readonly PipelineStatus[],
    to: PipelineStatus,
    patch?: PipelinePatch,
  ): Promise<boolean>;
  /**
   * A terminal transition (compare-and-set like `transition`) that also hands the lane to the
   * next waiting pipeline, atomically. Returns whether it moved and the next lane holder to enqueue.
   */
  finish(
    id: string,
    lane: string,
    from: readonly PipelineStatus[],
    to: PipelineStatus,
    patch?: PipelinePatch,
  ): Promise<{ moved: boolean; next?: string }>;
  /** Sets fields that are not a status change (cancel request, approval). */
  patch(id: string, patch: PipelinePatch): Promise<void>;
  /**
   * Appends a canary decision to the pipeline's record, atomically (two at once both stay). False
   * when the pipeline is not in the live store.
   */
  addCanaryDecision(id: string, decision: CanaryDecisionRecord): Promise<boolean>;
  /**
   * Records a GitLab deployment on the pipeline (`gitlabDeployments`), replacing the entry with the
   * same GitLab id, atomically (two channels recording at once both stay). False when the
   * pipeline is not in the live store.
   */
  putGitLabDeployment(id: string, deployment: GitLabDeploymentRecord): Promise<boolean>;
  /** Replaces one stage's record and records the transition. */
  putStage(id: string, stage: StageRecord): Promise<void>;
  /**
   * Replaces a stage's running record only while the stored record holds attempt `expected` and
   * that attempt has not ended: claims the next attempt (`stage.attempts` = expected + 1) or
   * updates the running one (= expected), and records the transition. False when it wrote nothing:
   * another Ferry claimed the stage meanwhile (the caller's attempt is no longer the stage's).
   */
  putStageAttempt(id: string, stage: StageRecord, expected: number): Promise<boolean>;
  /**
   * Records a canary step's state (replacing the step's earlier state) and the transition; one
   * writer per pipeline (its deploy stage). Returns the pipeline's steps.
   */
  putCanaryStep(id: string, step: CanaryStepRecord): Promise<CanaryStepRecord[]>;
  /**
   * Records the end of one attempt of a stage (`stage.attempts`), at most once: only while the
   * stored record holds that attempt and no end of it was recorded (by this call or a terminal
   * `putStage`). Returns false when it wrote nothing (the end is someone else's, or stale).
   */
  endStage(id: string, stage: StageRecord): Promise<boolean>;
  /**
   * Frees the lane held by `pipelineId` and hands it to the next waiting pipeline, whose id is
   * returned (to enqueue), if any.
   */
  releaseLane(lane: string, pipelineId: string): Promise<string | undefined>;
  /** Removes a waiting pipeline from its lane (canceled before it ran). True if it was waiting. */
  leaveLane(lane: string, pipelineId: string): Promise<boolean>;
  /** The pipeline holding a lane, if any. */
  laneHolder(lane: string): Promise<string | undefined>;
  /** Ids of every pipeline not yet in a terminal state (for recovery after a crash). */
  nonTerminalIds(): Promise<string[]>;
  /** The latest sha seen for a branch of a project (for manual triggers without a sha). */
  rememberHead(projectId: number, ref: string, sha: string): Promise<void>;
  headOf(projectId: number, ref: string): Promise<string | undefined>;
  /** Known projects by id, recorded from webhooks (manual triggers need their clone URL). */
  rememberProject(project: PipelineRecord['project']): Promise<void>;
  project(idOrPath: string): Promise<PipelineRecord['project'] | undefined>;
  /** Counts by status (for metrics). */
  countByStatus(): Promise<Record<PipelineStatus, number>>;
}

export type { StageName };
