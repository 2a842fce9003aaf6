import { abortable } from '../../abort/abortable.js';
import type { GitLabApi } from '../api/gitlab-api.js';
import type { GitLabState, StatusUpdate } from './commit-status.js';

/** Posts commit statuses (`POST /projects/:id/statuses/:sha`, state in the JSON body). */
export class GitLabStatusClient {
  readonly #api: GitLabApi;

  constructor(api: GitLabApi) {
    this.#api = api;
  }

  /**
   * Posts `state` (which may differ from `update.state`, see stateToSend) into GitLab's pipeline
   * `gitlabPipelineId` when known, and answers the id of the pipeline GitLab put the status in.
   * Throws what gitbeaker throws; see classifyGitLabError.
   */
  async post(
    update: StatusUpdate,
    state: GitLabState,
    gitlabPipelineId: number | undefined,
    signal: AbortSignal,
  ): Promise<number | undefined> {
    const options: {
      name: string;
      ref: string;
      description: string;
      targetUrl?: string;
      pipelineId?: number;
      coverage?: number;
    } = {
      name: update.name,
      ref: update.ref,
      description: update.description,
    };
    if (update.targetUrl !== undefined) options.targetUrl = update.targetUrl;
    if (gitlabPipelineId !== undefined) options.pipelineId = gitlabPipelineId;
    if (update.coverage !== undefined) options.coverage = update.coverage;
    const created = await abortable(
      this.#api.Commits.editStatus(update.projectId, update.sha, state, options),
      signal,
    );
    const id = (created as { pipeline_id?: unknown } | undefined)?.pipeline_id;
    return typeof id === 'number' ? id : undefined;
  }
}
