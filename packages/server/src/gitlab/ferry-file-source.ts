import {
  FerryError,
  MAX_SPEC_BYTES,
  type PipelineRecord,
  ReportingErrors,
  type SpecSourceText,
} from '@ferry/shared';
import type { OverrideSource } from '../stages/plan-source.js';
import type { GitLabApi } from './api/gitlab-api.js';
import { classifyGitLabError } from './api/gitlab-errors.js';
import { retryGitLab } from './api/gitlab-retry.js';

export interface GitLabOverrideSourceOptions {
  api: GitLabApi;
  /** The file's path in the repository (`pipelines.overrideFile`, default `.ferry.yml`). */
  file: string;
  /** Largest file accepted (default the spec limit, 256 KiB). */
  maxBytes?: number;
  /** How long a read retries GitLab's passing failures (429, 5xx, timeouts) before failing (30 s). */
  giveUpAfterMs?: number;
}

/**
 * A project's own pipeline file at the pipeline's commit, read through GitLab's "Get raw file"
 * API (`GET /projects/:id/repository/files/:path/raw?ref=<sha>`). No file (404) means no override.
 * Other failures are FerryErrors that say what to check, so the stage that needed the plan fails
 * with them in its log.
 */
export class GitLabOverrideSource implements OverrideSource {
  readonly #o: GitLabOverrideSourceOptions;

  constructor(options: GitLabOverrideSourceOptions) {
    this.#o = options;
  }

  async overrideFor(pipeline: PipelineRecord, signal: AbortSignal): Promise<SpecSourceText | undefined> {
    const { api, file } = this.#o;
    const params = { file, project: pipeline.project.path, sha: pipeline.sha.slice(0, 12) };
    let body: unknown;
    try {
      body = await retryGitLab(
        () => api.RepositoryFiles.showRaw(pipeline.project.id, file, pipeline.sha),
        { giveUpAfterMs: this.#o.giveUpAfterMs ?? 30_000 },
        signal,
      );
    } catch (err) {
      if (signal.aborted) throw err;
      const failure = classifyGitLabError(err);
      if (failure.kind === 'refused' && failure.status === 404 && /file not found/i.test(failure.message)) {
        return undefined;
      }
      const status = 'status' in failure && failure.status !== undefined ? `${failure.status} ` : '';
      throw new FerryError(
        ReportingErrors.GITLAB_FILE_UNREADABLE,
        { ...params, reason: `${status}${failure.message}` },
        { cause: err },
      );
    }
    const text = typeof body === 'string' ? body : body instanceof Blob ? await body.text() : undefined;
    if (text === undefined) {
      throw new FerryError(ReportingErrors.GITLAB_FILE_UNREADABLE, {
        ...params,
        reason: 'the answer is not a file',
      });
    }
    const size = Buffer.byteLength(text, 'utf8');
    const limit = this.#o.maxBytes ?? MAX_SPEC_BYTES;
    if (size > limit) throw new FerryError(ReportingErrors.GITLAB_FILE_TOO_LARGE, { ...params, size, limit });
    return { text, file };
  }
}
