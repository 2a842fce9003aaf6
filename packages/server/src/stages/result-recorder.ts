import type { Logger, PipelineRecord, RunnerProgress, RunnerResult } from '@ferry/shared';
import type { PipelineStore } from '../store/pipeline-store.js';
import { previousFromResult } from './deploy-manifests.js';
import type { PlanSource } from './plan-source.js';
import type { StageJobFactory } from './stage-job-factory.js';
import type { StageRunRequest } from './stage-runner.js';

export interface ResultRecorderDeps {
  store: PipelineStore;
  logger: Logger;
  plans: PlanSource;
  /** Renders and records the deploy's manifests again with the previous release it reports. */
  jobs: Pick<StageJobFactory, 'recordManifests'>;
}

/**
 * Records what the runner's result line says on the pipeline: the pushed image (build), the
 * rollout and what ran before it (deploy); and turns a result into a stage's failure reason.
 */
export class ResultRecorder {
  readonly #deps: ResultRecorderDeps;

  constructor(deps: ResultRecorderDeps) {
    this.#deps = deps;
  }

  async record(pipeline: PipelineRecord, printed: RunnerResult, signal: AbortSignal): Promise<void> {
    const { store, plans, jobs, logger } = this.#deps;
    await recordResult(store, pipeline.id, printed);
    const previous = printed.kind === 'deploy' ? previousFromResult(printed.result) : undefined;
    if (previous === undefined) return;
    // The runner read what runs now: the record gets the previous-release annotations it applied.
    try {
      await jobs.recordManifests(pipeline, await plans.planFor(pipeline, signal), previous);
    } catch (err) {
      logger.warn({ pipelineId: pipeline.id, err }, 'deploy manifests not recorded again');
    }
  }

  /** Records a canary step the deploy runner reported; the store's transition reaches GitLab. */
  async progress(request: StageRunRequest, printed: RunnerProgress): Promise<void> {
    await this.#deps.store.putCanaryStep(request.pipeline.id, {
      ...printed.canary,
      at: new Date().toISOString(),
    });
  }

  /** The reason to give a failed stage, from its result ("rolled back to …", the runner's error). */
  reasonFor(printed: RunnerResult): string | undefined {
    const { result } = printed;
    if (!('error' in result)) return undefined;
    if ('rolledBackTo' in result && typeof result.rolledBackTo === 'string')
      return `rollout failed: rolled back to ${result.rolledBackTo.slice(0, 12)}`;
    return `${result.error.code}: ${result.error.message}`;
  }
}

/** Records what build (the pushed image) and deploy (the rollout) reported on the pipeline. */
async function recordResult(store: PipelineStore, pipelineId: string, printed: RunnerResult): Promise<void> {
  if (printed.kind === 'build') {
    const { result } = printed;
    if ('error' in result) return;
    await store.patch(pipelineId, {
      image: { reference: result.reference, digest: result.digest, tags: result.tags },
    });
    return;
  }
  const { result } = printed;
  const release: NonNullable<Parameters<PipelineStore['patch']>[1]['release']> = {};
  if ('error' in result) {
    if (result.revision !== undefined) release.revision = String(result.revision);
    if (result.rolledBackTo !== undefined) release.rolledBackTo = result.rolledBackTo;
  } else {
    release.deployed = result.deployed;
    release.namespace = result.namespace;
    release.revision = String(result.revision);
  }
  await store.patch(pipelineId, { release });
}
