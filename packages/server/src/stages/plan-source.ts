import { type FerrySpec, type PipelineRecord, type ResolvedPlan, resolveSpec } from '@ferry/shared';

/** The resolved plan (spec × environment × commit) of a pipeline. */
export interface PlanSource {
  planFor(pipeline: PipelineRecord): ResolvedPlan;
}

/**
 * Plans from the default template. Resolution is pure and cheap; the last few plans are kept so
 * one pipeline's stages don't resolve it again and again.
 */
export class TemplatePlanSource implements PlanSource {
  readonly #template: FerrySpec;
  readonly #cache = new Map<string, ResolvedPlan>();

  constructor(template: FerrySpec) {
    this.#template = template;
  }

  planFor(pipeline: PipelineRecord): ResolvedPlan {
    const cached = this.#cache.get(pipeline.id);
    if (cached !== undefined) return cached;
    const plan = resolveSpec(this.#template, {
      env: pipeline.environment,
      sha: pipeline.sha,
      project: pipeline.project.path,
      branch: pipeline.ref,
    });
    this.#cache.set(pipeline.id, plan);
    if (this.#cache.size > 256) this.#cache.delete(this.#cache.keys().next().value as string);
    return plan;
  }
}
