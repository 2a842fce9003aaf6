import { z } from 'zod';

const sha = z.string().regex(/^[0-9a-f]{40}$|^[0-9a-f]{64}$/);

/**
 * The fields of `GET /projects/:id/merge_requests/:iid` that say what a merge put on the target
 * branch (`API::Entities::MergeRequestBasic`: `diff_head_sha` exposed as `sha`, `merge_commit_sha`,
 * `squash_commit_sha`; `state`). Unknown fields are ignored.
 */
export const mergeRequestApiSchema = z.looseObject({
  iid: z.number().int(),
  state: z.string(),
  target_branch: z.string(),
  sha: sha.nullable().optional(),
  merge_commit_sha: sha.nullable().optional(),
  squash_commit_sha: sha.nullable().optional(),
});
export type MergeRequestApiView = z.output<typeof mergeRequestApiSchema>;

export type MergedHead =
  | { kind: 'head'; sha: string; by: 'merge_commit_sha' | 'squash_commit_sha' | 'sha' }
  /** The merge request is not (yet) `merged` in this answer: ask again. */
  | { kind: 'not-merged'; state: string }
  /** Merged, but GitLab names no commit at all. */
  | { kind: 'unknown' };

/**
 * The commit a merged merge request put on its target branch, as GitLab itself computes it
 * (`MergeRequest#merged_commit_sha`, app/models/merge_request.rb, GitLab 13.4 to 17.x:
 * `merge_commit_sha || squash_commit_sha || diff_head_sha`, only when merged). Per merge method
 * (`MergeRequests::MergeStrategies::FromSourceBranch#execute_git_merge!`, GitLab 17.x):
 *
 * | method                           | `merge_commit_sha` | `squash_commit_sha` | branch head          |
 * | -------------------------------- | ------------------ | ------------------- | -------------------- |
 * | merge commit / semi-linear       | the merge commit   | `null`              | the merge commit     |
 * | merge commit / semi-linear + squash | the merge commit | the squash commit  | the merge commit     |
 * | fast-forward                     | `null`             | `null`              | `sha` (source head)  |
 * | fast-forward + squash            | `null`             | the squash commit   | the squash commit    |
 *
 * Pure.
 */
export function mergedHeadOf(mr: MergeRequestApiView): MergedHead {
  if (mr.state !== 'merged') return { kind: 'not-merged', state: mr.state };
  if (typeof mr.merge_commit_sha === 'string') {
    return { kind: 'head', sha: mr.merge_commit_sha, by: 'merge_commit_sha' };
  }
  if (typeof mr.squash_commit_sha === 'string') {
    return { kind: 'head', sha: mr.squash_commit_sha, by: 'squash_commit_sha' };
  }
  if (typeof mr.sha === 'string') return { kind: 'head', sha: mr.sha, by: 'sha' };
  return { kind: 'unknown' };
}
