import {
  type FerrySpec,
  loadSpecOrThrow,
  type PipelineRecord,
  type ResolvedPlan,
  resolveSpec,
  type SpecSourceText,
} from '@ferry/shared';

/**
 * A project's own pipeline file (`.ferry.yml`) at the pipeline's commit, if it has one. The
 * GitLab implementation reads it through the repository files API; `undefined` means none.
 */
export interface OverrideSource {
  overrideFor(pipeline: PipelineRecord, signal: AbortSignal): Promise<SpecSourceText | undefined>;
}

/** No project overrides: every project runs the template as it is. */
export const noOverrides: OverrideSource = { overrideFor: async () => undefined };

/** The resolved plan (spec × environment × commit) of a pipeline. */
export interface PlanSource {
  /** Throws FerryError (SPEC_INVALID with located problems, SPEC_ENVIRONMENT_UNKNOWN, …). */
  planFor(pipeline: PipelineRecord, signal: AbortSignal): Promise<ResolvedPlan>;
}

/**
 * Plans from the default template merged with the project's override. The override is read once
 * per pipeline; the last plans are kept so a pipeline's stages don't resolve it again.
 */
export class TemplatePlanSource implements PlanSource {
  readonly #template: SpecSourceText;
  readonly #overrides: OverrideSource;
  readonly #cache = new Map<string, ResolvedPlan>();
  readonly #namespaceLabels: Readonly<Record<string, string>>;
  #templateSpec: FerrySpec | undefined;

  /** `namespaceLabels`: what the configuration puts on every namespace Ferry creates. */
  constructor(
    template: SpecSourceText,
    overrides: OverrideSource = noOverrides,
    namespaceLabels: Readonly<Record<string, string>> = {},
  ) {
    this.#template = template;
    this.#overrides = overrides;
    this.#namespaceLabels = namespaceLabels;
  }

  async planFor(pipeline: PipelineRecord, signal: AbortSignal): Promise<ResolvedPlan> {
    const cached = this.#cache.get(pipeline.id);
    if (cached !== undefined) return cached;
    const override = await this.#overrides.overrideFor(pipeline, signal);
    const spec = this.#specWith(override);
    const plan = resolveSpec(spec, {
      env: pipeline.environment,
      sha: pipeline.sha,
      project: pipeline.project.path,
      branch: pipeline.ref,
      namespaceLabels: this.#namespaceLabels,
    });
    this.#cache.set(pipeline.id, plan);
    if (this.#cache.size > 256) this.#cache.delete(this.#cache.keys().next().value as string);
    return plan;
  }

  /** The template alone parses the same for every pipeline without a project file: once. */
  #specWith(override: SpecSourceText | undefined): FerrySpec {
    if (override !== undefined) return loadSpecOrThrow(this.#template, override);
    this.#templateSpec ??= loadSpecOrThrow(this.#template);
    return this.#templateSpec;
  }
}
