/**
 * Merge requests the GitLab double knows, as GitLab stores them after a merge (the columns
 * `MergeRequest` keeps: `diff_head_sha` of its latest diff, `merge_commit_sha`,
 * `squash_commit_sha`, `squash`, state and metrics). Tests put them; the API reads them.
 */
export interface StoredMergeRequest {
  iid: number;
  title: string;
  sourceBranch: string;
  targetBranch: string;
  state: 'opened' | 'closed' | 'locked' | 'merged';
  /** `diff_head_sha`: the source head of the latest diff (exposed as `sha`). */
  diffHeadSha: string;
  /** The target head the latest diff was made against (`diff_refs.start_sha`, `base_sha`). */
  diffStartSha: string;
  /** Set only by `merge_commit!` (merge-commit and semi-linear methods). */
  mergeCommitSha: string | null;
  /** Set when the merge squashed (`result[:squash_commit_sha] = source_sha if squash_on_merge?`). */
  squashCommitSha: string | null;
  squash: boolean;
  mergedAt: Date | null;
  /** Who merged: a username and name. */
  mergedBy: { username: string; name: string } | null;
  createdAt: Date;
}

export class MergeRequestStore {
  readonly #byProject = new Map<number, Map<number, StoredMergeRequest>>();

  put(projectId: number, mr: StoredMergeRequest): void {
    let project = this.#byProject.get(projectId);
    if (project === undefined) {
      project = new Map();
      this.#byProject.set(projectId, project);
    }
    project.set(mr.iid, { ...mr });
  }

  get(projectId: number, iid: number): StoredMergeRequest | undefined {
    return this.#byProject.get(projectId)?.get(iid);
  }
}
