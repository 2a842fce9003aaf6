import type { ResolvedPlan } from '@ferry/shared';

export interface ImageTags {
  /** `<registry>/<repository>`. */
  readonly repository: string;
  /** `<registry>/<repository>:<commit sha>`: never moves, names exactly one build. */
  readonly immutable: string;
  /** `<registry>/<repository>:<environment>`: the environment's latest build (the next build's cache). */
  readonly moving: string;
  readonly immutableTag: string;
  readonly movingTag: string;
}

/** The tags a build pushes: the plan's commit tag and the environment's moving tag. Pure. */
export function imageTags(registry: string, plan: Pick<ResolvedPlan, 'image' | 'environment'>): ImageTags {
  const repository = `${registry}/${plan.image.repository}`;
  return {
    repository,
    immutable: `${repository}:${plan.image.tag}`,
    moving: `${repository}:${plan.environment}`,
    immutableTag: plan.image.tag,
    movingTag: plan.environment,
  };
}
