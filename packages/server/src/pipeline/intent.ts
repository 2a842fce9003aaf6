import type { MergeRequestRef, Person, PipelineKind, ProjectRef, StageName, Trigger } from '@ferry/shared';
import type { EnvironmentRule } from './environment-map.js';

/** What a forge event asks for: a pipeline of this commit in this environment. Forge-neutral. */
export interface PipelineIntent {
  project: ProjectRef;
  rule: EnvironmentRule;
  ref: string;
  sha: string;
  trigger: Trigger;
  user: Person;
  commitTitle: string;
  mergeRequest?: MergeRequestRef;
  /** Default `environment`; `merge_request` runs `stages` (the test stage) on the MR's source. */
  kind?: PipelineKind;
  /** The stages the pipeline has (default all). */
  stages?: readonly StageName[];
  /** Run without any of Ferry's secrets (a fork's merge request). */
  withoutSecrets?: boolean;
  /** The clone URL of the source project (a fork), when it differs from the project's. */
  cloneUrl?: string;
}

/**
 * A merge whose new branch head the forge did not name (GitLab's fast-forward merges, squashed or
 * not): it starts nothing, it only tells the pipeline the merge's push creates who merged what.
 */
export interface MergeNote {
  project: ProjectRef;
  rule: EnvironmentRule;
  /** The environment branch merged into. */
  ref: string;
  user: Person;
  mergeRequest: MergeRequestRef;
  /** The merge request's source head: the branch's new head when nothing was squashed or rebased. */
  sourceSha?: string;
}

/** A forge event, classified: a pipeline to create, a merge to note, or why it starts nothing. */
export type Classification =
  | { kind: 'ignore'; reason: string }
  | { kind: 'pipeline'; intent: PipelineIntent }
  | { kind: 'note'; note: MergeNote }
  /** A merge request closed: its running checks are canceled. */
  | { kind: 'close'; projectId: number; iid: number; by: string };
