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

/** A forge event, classified: a pipeline to create, or why it starts nothing. */
export type Classification =
  | { kind: 'ignore'; reason: string }
  | { kind: 'pipeline'; intent: PipelineIntent };
