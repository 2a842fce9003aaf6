import type { Logger, StageName } from '@ferry/shared';
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

  async record(request: StageRunRequest, result: Record<string, unknown>): Promise<void> {
    const { store, plans, jobs, logger } = this.#deps;
    await recordResult(store, request.pipeline.id, request.stage, result);
    const previous = request.stage === 'deploy' ? previousFromResult(result) : undefined;
    if (previous === undefined) return;
    // The runner read what runs now: the record gets the previous-release annotations it applied.
    try {
      await jobs.recordManifests(
        request.pipeline,
        await plans.planFor(request.pipeline, request.signal),
        previous,
      );
    } catch (err) {
      logger.warn({ pipelineId: request.pipeline.id, err }, 'deploy manifests not recorded again');
    }
  }

  /** The reason to give a failed stage, from its result ("rolled back to …", the runner's error). */
  reasonFor(result: Record<string, unknown>): string | undefined {
    const back = result.rolledBackTo;
    if (typeof back === 'string') return `rollout failed: rolled back to ${back.slice(0, 12)}`;
    return resultError(result.error);
  }
}

/** A result line's `error` as a stage reason: the runner prints `{ code, message }`. */
function resultError(error: unknown): string | undefined {
  if (typeof error === 'string') return error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof message !== 'string') return undefined;
  return typeof code === 'string' ? `${code}: ${message}` : message;
}

/** Records what build (the pushed image) and deploy (the rollout) reported on the pipeline. */
async function recordResult(
  store: PipelineStore,
  pipelineId: string,
  stage: StageName,
  result: Record<string, unknown>,
): Promise<void> {
  const text = (key: string) => (typeof result[key] === 'string' ? (result[key] as string) : undefined);
  if (stage === 'build') {
    const reference = text('reference');
    const digest = text('digest');
    if (reference === undefined || digest === undefined) return;
    const tags = Array.isArray(result.tags)
      ? result.tags.filter((t): t is string => typeof t === 'string')
      : [];
    await store.patch(pipelineId, { image: { reference, digest, tags } });
  } else if (stage === 'deploy') {
    const release: NonNullable<Parameters<PipelineStore['patch']>[1]['release']> = {};
    const deployed = text('deployed');
    const namespace = text('namespace');
    if (deployed !== undefined) release.deployed = deployed;
    if (namespace !== undefined) release.namespace = namespace;
    if (result.revision !== undefined) release.revision = String(result.revision);
    if ('rolledBackTo' in result)
      release.rolledBackTo = typeof result.rolledBackTo === 'string' ? result.rolledBackTo : null;
    await store.patch(pipelineId, { release });
  }
}
