import type { MergeRequestRef, Person, ProjectRef, Trigger } from '@ferry/shared';
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
  | { kind: 'note'; note: MergeNote };
