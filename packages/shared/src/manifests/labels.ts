import type { ResolvedPlan } from '../pipeline-spec/plan.js';
import type { ReleaseMetadata } from './inputs.js';

/** Label and annotation keys Ferry writes. Annotations hold values labels cannot (paths, names). */
export const LabelKey = {
  name: 'app.kubernetes.io/name',
  partOf: 'app.kubernetes.io/part-of',
  version: 'app.kubernetes.io/version',
  managedBy: 'app.kubernetes.io/managed-by',
  environment: 'ferry.dev/environment',
  /** `stable` for the main Deployment's pods, `canary` for the canary's. */
  track: 'ferry.dev/track',
} as const;

export const AnnotationKey = {
  project: 'ferry.dev/project',
  environment: 'ferry.dev/environment',
  /** The full commit sha: on the Deployment and on every pod, so each running pod maps to one commit. */
  commit: 'ferry.dev/commit',
  pipeline: 'ferry.dev/pipeline',
  mergedBy: 'ferry.dev/merged-by',
  image: 'ferry.dev/image',
  /** The image (and commit) the Deployment ran before this release: where a rollback goes. */
  previousImage: 'ferry.dev/previous-image',
  previousCommit: 'ferry.dev/previous-commit',
  /** Set by a rollback: the image that failed. */
  rolledBackFrom: 'ferry.dev/rolled-back-from',
  /** On the canary Deployment: the step it is at, e.g. `1/3 10%`. */
  canaryStep: 'ferry.dev/canary-step',
  /** Set by the orchestrator or an operator on the canary Deployment: `promote` or `abort`. */
  canaryDecision: 'ferry.dev/canary-decision',
} as const;

export const MANAGED_BY = 'ferry';

export type Track = 'stable' | 'canary';

/** Labels every object of the service carries. */
export function serviceLabels(plan: ResolvedPlan): Record<string, string> {
  return {
    [LabelKey.name]: plan.service,
    [LabelKey.partOf]: plan.group,
    [LabelKey.managedBy]: MANAGED_BY,
    [LabelKey.environment]: plan.environment,
  };
}

/** What the Service selects: the pods of both tracks. */
export function serviceSelector(plan: ResolvedPlan): Record<string, string> {
  return { [LabelKey.name]: plan.service, [LabelKey.managedBy]: MANAGED_BY };
}

/** A Deployment's selector (immutable once created): the Service's, narrowed to one track. */
export function trackSelector(plan: ResolvedPlan, track: Track): Record<string, string> {
  return { ...serviceSelector(plan), [LabelKey.track]: track };
}

/** Release annotations of the Deployment (who, what, from which pipeline). */
export function releaseAnnotations(meta: ReleaseMetadata, image: string): Record<string, string> {
  return {
    [AnnotationKey.project]: meta.project,
    [AnnotationKey.environment]: meta.environment,
    [AnnotationKey.commit]: meta.commit,
    [AnnotationKey.pipeline]: meta.pipelineId,
    [AnnotationKey.mergedBy]: meta.mergedBy,
    [AnnotationKey.image]: image,
  };
}

/**
 * Annotations of each pod: the commit and project only, so re-deploying the same commit from
 * another pipeline does not restart the pods.
 */
export function podAnnotations(meta: ReleaseMetadata): Record<string, string> {
  return { [AnnotationKey.project]: meta.project, [AnnotationKey.commit]: meta.commit };
}
