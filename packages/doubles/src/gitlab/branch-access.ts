import { type GitLabRole, type GitLabUser, roleLevel } from './gitlab-users.js';
import type { StoredProject } from './project-store.js';

/**
 * Who may push or merge to a branch, as GitLab decides it (gitlab-org/gitlab, read at 17.x):
 * - `Gitlab::UserAccess#can_push_to_branch?` / `#can_merge_to_branch?`: an unprotected branch needs
 *   `push_code` (Developer and up); a protected one needs one of its push (or merge) access levels;
 * - `ProtectedRefAccess#check_access`: `push_code` and the member's access level ≥ the rule's level;
 *   level 0 ("No one") lets nobody in (admins aside, which the double has none of).
 * - `Ci::PipelinePolicy`: `update_pipeline` is prevented unless `can_push_or_merge_to_branch?`;
 *   `Ci::CreateCommitStatusService` answers `403 Forbidden` without it.
 */
export function canPushToBranch(project: StoredProject, user: GitLabUser, branch: string): boolean {
  return allowed(project, user, branch, 'push');
}

export function canMergeToBranch(project: StoredProject, user: GitLabUser, branch: string): boolean {
  return allowed(project, user, branch, 'merge');
}

export function canPushOrMergeToBranch(project: StoredProject, user: GitLabUser, branch: string): boolean {
  return canPushToBranch(project, user, branch) || canMergeToBranch(project, user, branch);
}

/** `ProtectedBranch.developers_can?(:push | :merge, …)`: the rule lets Developers in. */
export function developersCan(project: StoredProject, branch: string, action: 'push' | 'merge'): boolean {
  const rule = project.protectedBranches.get(branch);
  return rule !== undefined && rule[action] === 30;
}

function allowed(
  project: StoredProject,
  user: GitLabUser,
  branch: string,
  action: 'push' | 'merge',
): boolean {
  const pushCode = roleLevel(user.role) >= roleLevel('developer');
  const rule = project.protectedBranches.get(branch);
  if (rule === undefined) return pushCode;
  const level = rule[action];
  return level !== 0 && pushCode && roleLevel(user.role) >= level;
}

export type { GitLabRole };
