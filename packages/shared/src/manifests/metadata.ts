import type { ResolvedPlan } from '../pipeline-spec/plan.js';
import type { ReleaseMetadata } from './inputs.js';

/** Release metadata with the plan's values where the caller gives none. */
export function releaseMetadata(
  plan: ResolvedPlan,
  given: { pipelineId: string; mergedBy?: string; project?: string; commit?: string },
): ReleaseMetadata {
  return {
    project: given.project ?? plan.project,
    environment: plan.environment,
    commit: given.commit ?? plan.sha,
    pipelineId: given.pipelineId,
    mergedBy: given.mergedBy ?? '',
  };
}
