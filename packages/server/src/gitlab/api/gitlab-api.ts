import { type FerryConfig, FerryError, ReportingErrors } from '@ferry/shared';
import { Gitlab } from '@gitbeaker/rest';

/** The part of @gitbeaker/rest Ferry uses: commit statuses and raw repository files. */
export interface GitLabApi {
  Commits: {
    editStatus(
      projectId: number | string,
      sha: string,
      state: 'pending' | 'running' | 'success' | 'failed' | 'canceled' | 'skipped',
      options?: { name?: string; ref?: string; targetUrl?: string; description?: string },
    ): Promise<unknown>;
  };
  RepositoryFiles: {
    showRaw(projectId: number | string, filePath: string, ref: string): Promise<unknown>;
  };
}

/** Whether `gitlab.url` and `gitlab.token` are both set. */
export function gitlabConfigured(config: FerryConfig): boolean {
  return config.gitlab.url !== undefined && config.gitlab.token !== undefined;
}

/**
 * A @gitbeaker/rest client for the configured GitLab (`purpose` says what for, in the error when it
 * is not configured). Requests are bounded by `reporting.gitlabTimeout`.
 */
export function createGitLabApi(config: FerryConfig, purpose: string): GitLabApi {
  const { url, token } = config.gitlab;
  if (url === undefined || token === undefined) {
    throw new FerryError(ReportingErrors.GITLAB_NOT_CONFIGURED, { purpose });
  }
  return new Gitlab({
    host: url.replace(/\/+$/, ''),
    token: token.reveal(),
    queryTimeout: config.reporting.gitlabTimeout,
  });
}
