import { type FerryConfig, FerryError, ReportingErrors } from '@ferry/shared';
import { Gitlab } from '@gitbeaker/rest';
import { noRetryRequesterFn } from './no-retry-requester.js';

/** The part of @gitbeaker/rest Ferry uses: commit statuses, raw files, branch access, deployments, merged MRs. */
export interface GitLabApi {
  Commits: {
    editStatus(
      projectId: number | string,
      sha: string,
      state: 'pending' | 'running' | 'success' | 'failed' | 'canceled' | 'skipped',
      options?: {
        name?: string;
        ref?: string;
        targetUrl?: string;
        description?: string;
        pipelineId?: number;
      },
    ): Promise<unknown>;
  };
  RepositoryFiles: {
    showRaw(projectId: number | string, filePath: string, ref: string): Promise<unknown>;
  };
  Projects: { show(projectId: number | string): Promise<unknown> };
  MergeRequests: { show(projectId: number | string, iid: number): Promise<unknown> };
  Branches: { show(projectId: number | string, branch: string): Promise<unknown> };
  ProtectedBranches: { show(projectId: number | string, branch: string): Promise<unknown> };
  Environments: {
    all(projectId: number | string, options?: { name?: string }): Promise<unknown>;
    create(projectId: number | string, name: string, options?: { externalUrl?: string }): Promise<unknown>;
    edit(
      projectId: number | string,
      environmentId: number,
      options?: { externalUrl?: string },
    ): Promise<unknown>;
  };
  Deployments: {
    create(
      projectId: number | string,
      environment: string,
      sha: string,
      ref: string,
      tag: boolean,
      options?: { status?: 'running' | 'success' | 'failed' | 'canceled' },
    ): Promise<unknown>;
    edit(
      projectId: number | string,
      deploymentId: number,
      status: 'running' | 'success' | 'failed' | 'canceled',
    ): Promise<unknown>;
  };
}

/** Whether `gitlab.url` and `gitlab.token` are both set. */
export function gitlabConfigured(config: FerryConfig): boolean {
  return config.gitlab.url !== undefined && config.gitlab.token !== undefined;
}

/**
 * A @gitbeaker/rest client for the configured GitLab (`purpose` says what for, in the error when it
 * is not configured). Requests are bounded by `reporting.gitlabTimeout`. No request is retried by the
 * client itself (no-retry-requester.ts): callers retry, waiting at least as long as GitLab's
 * `Retry-After` says.
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
    requesterFn: noRetryRequesterFn,
  });
}
