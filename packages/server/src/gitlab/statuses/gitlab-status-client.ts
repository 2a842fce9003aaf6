import { abortable } from '../../abort/abortable.js';
import type { GitLabApi } from '../api/gitlab-api.js';
import type { StatusUpdate } from './commit-status.js';

/** Posts commit statuses (`POST /projects/:id/statuses/:sha`, state in the JSON body). */
export class GitLabStatusClient {
  readonly #api: GitLabApi;

  constructor(api: GitLabApi) {
    this.#api = api;
  }

  /** Throws what gitbeaker throws; see classifyGitLabError. */
  async post(update: StatusUpdate, signal: AbortSignal): Promise<void> {
    const options: { name: string; ref: string; description: string; targetUrl?: string } = {
      name: update.name,
      ref: update.ref,
      description: update.description,
    };
    if (update.targetUrl !== undefined) options.targetUrl = update.targetUrl;
    await abortable(
      this.#api.Commits.editStatus(update.projectId, update.sha, update.state, options),
      signal,
    );
  }
}
