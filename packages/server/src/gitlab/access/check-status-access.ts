import { FerryError, type Logger, ReportingErrors } from '@ferry/shared';
import { abortable } from '../../abort/abortable.js';
import type { GitLabApi } from '../api/gitlab-api.js';
import { classifyGitLabError } from '../api/gitlab-errors.js';
import { type BranchAccessFacts, statusAccess } from './status-access.js';

export interface BranchAccessResult {
  project: string;
  branch: string;
  ok: boolean;
  reason?: string;
}

interface ProjectAnswer {
  permissions?: {
    project_access?: { access_level?: number } | null;
    group_access?: { access_level?: number } | null;
  };
}

/**
 * At start-up: can the token post commit statuses on each environment branch of each configured
 * project? One `GET /projects/:id` per project and one `GET …/repository/branches/:branch` per
 * branch (plus `GET …/protected_branches/:branch` only for a Maintainer token on a branch whose
 * answer is not yet clear). Each branch that cannot is logged at error, saying what to change.
 * A branch the project does not have is skipped; GitLab being unreachable is logged once.
 */
export async function checkStatusAccess(
  api: GitLabApi,
  projects: readonly string[],
  branches: readonly string[],
  logger: Logger,
  signal: AbortSignal,
): Promise<BranchAccessResult[]> {
  const results: BranchAccessResult[] = [];
  for (const project of projects) {
    let accessLevel: number;
    try {
      const answer = (await abortable(api.Projects.show(project), signal)) as ProjectAnswer;
      accessLevel = Math.max(
        answer.permissions?.project_access?.access_level ?? 0,
        answer.permissions?.group_access?.access_level ?? 0,
      );
    } catch (err) {
      if (signal.aborted) throw err;
      logger.warn(
        { project, err: classifyGitLabError(err).message },
        'gitlab: cannot check the token’s access to this project',
      );
      continue;
    }
    for (const branch of branches) {
      let facts: BranchAccessFacts;
      try {
        const shown = (await abortable(
          api.Branches.show(project, branch),
          signal,
        )) as BranchAccessFacts['branch'];
        facts = { accessLevel, branch: shown };
        if (shown.protected && !shown.can_push && !shown.developers_can_merge && accessLevel >= 40) {
          const rule = (await abortable(api.ProtectedBranches.show(project, branch), signal)) as {
            push_access_levels?: Array<{ access_level: number }>;
            merge_access_levels?: Array<{ access_level: number }>;
          };
          facts.rule = {
            push: (rule.push_access_levels ?? []).map((l) => l.access_level),
            merge: (rule.merge_access_levels ?? []).map((l) => l.access_level),
          };
        }
      } catch (err) {
        if (signal.aborted) throw err;
        const failure = classifyGitLabError(err);
        if (failure.kind === 'refused' && failure.status === 404) continue; // no such branch here
        logger.warn({ project, branch, err: failure.message }, 'gitlab: cannot check the branch');
        continue;
      }
      const verdict = statusAccess(facts);
      if (verdict.ok) {
        results.push({ project, branch, ok: true });
        continue;
      }
      results.push({ project, branch, ok: false, reason: verdict.reason });
      const error = new FerryError(ReportingErrors.GITLAB_BRANCH_NOT_WRITABLE, {
        project,
        branch,
        reason: verdict.reason,
      });
      logger.error({ code: error.code, project, branch }, error.message);
    }
  }
  const fine = results.filter((r) => r.ok).map((r) => `${r.project}:${r.branch}`);
  if (fine.length > 0)
    logger.info({ branches: fine }, 'gitlab: the token can post statuses on these branches');
  return results;
}
