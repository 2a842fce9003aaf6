/**
 * Whether GitLab lets the token's user post commit statuses on a branch. GitLab (17.x) refuses with
 * 403 unless the user may push or merge to the pipeline's ref (`Ci::PipelinePolicy` →
 * `Gitlab::UserAccess#can_push_or_merge_to_branch?`): Developer on an unprotected branch; on a
 * protected one, a role its push or merge access levels let in (`ProtectedRefAccess`: level ≤ the
 * member's, 0 is "No one"). Pure: the inputs are what GitLab's API shows.
 */
export interface BranchAccessFacts {
  /** `permissions.project_access.access_level` / `group_access` (the higher), 0 when none. */
  accessLevel: number;
  /** `GET /projects/:id/repository/branches/:branch`. */
  branch: { protected: boolean; can_push: boolean; developers_can_merge: boolean };
  /** `GET /projects/:id/protected_branches/:name` access levels (Maintainers can read it). */
  rule?: { push: number[]; merge: number[] };
}

export type AccessVerdict = { ok: true } | { ok: false; reason: string };

const DEVELOPER = 30;
const MAINTAINER = 40;

export function statusAccess(facts: BranchAccessFacts): AccessVerdict {
  const { accessLevel, branch, rule } = facts;
  if (accessLevel < DEVELOPER) {
    return {
      ok: false,
      reason: `the token's user has access level ${accessLevel}; statuses need Developer (30) or more`,
    };
  }
  if (!branch.protected || branch.can_push) return { ok: true };
  if (branch.developers_can_merge) return { ok: true };
  if (rule !== undefined) {
    const levels = [...rule.push, ...rule.merge].filter((level) => level > 0);
    if (levels.some((level) => level <= accessLevel)) return { ok: true };
  }
  const role = accessLevel >= MAINTAINER ? 'Maintainer' : 'Developer';
  return {
    ok: false,
    reason: `the branch is protected and its user (${role}) may neither push nor merge to it`,
  };
}
