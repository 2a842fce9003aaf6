import type { PipelineStore } from '../../store/pipeline-store.js';

const MAX_CACHED = 1000;

/**
 * The id of the external pipeline GitLab made for a Ferry pipeline's first status, kept on the
 * pipeline record (`gitlabPipelineId`) and sent as `pipeline_id` with every later status. Without
 * it GitLab attaches a status to the newest pipeline of the sha and ref, which may be the project's
 * own CI pipeline (`Ci::CreateCommitStatusService#first_matching_pipeline`).
 */
export class ExternalPipelineIds {
  readonly #store: Pick<PipelineStore, 'get' | 'patch'>;
  readonly #cache = new Map<string, number>();

  constructor(store: Pick<PipelineStore, 'get' | 'patch'>) {
    this.#store = store;
  }

  async get(pipelineId: string): Promise<number | undefined> {
    const cached = this.#cache.get(pipelineId);
    if (cached !== undefined) return cached;
    const id = (await this.#store.get(pipelineId))?.gitlabPipelineId;
    if (id !== undefined) this.#keep(pipelineId, id);
    return id;
  }

  async remember(pipelineId: string, gitlabPipelineId: number): Promise<void> {
    await this.#store.patch(pipelineId, { gitlabPipelineId });
    this.#keep(pipelineId, gitlabPipelineId);
  }

  #keep(pipelineId: string, id: number): void {
    this.#cache.set(pipelineId, id);
    if (this.#cache.size > MAX_CACHED) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
  }
}
