import type { StoredMergeRequest } from './merge-request-store.js';
import type { HookProjectInput, HookUserInput } from './webhook-payloads.js';
import { buildMergeRequestHook, buildPushHook, randomSha } from './webhook-payloads.js';
import type { MergeRequestHookPayload, PushHookPayload } from './webhook-types.js';

/**
 * What GitLab does to the target branch when it merges a merge request, and the two hooks it
 * sends about it, for each merge method. Source: gitlab-org/gitlab
 * `app/services/merge_requests/merge_strategies/from_source_branch.rb` (GitLab 17.x):
 *
 * | method                            | target branch's new head                | `merge_commit_sha` |
 * | --------------------------------- | --------------------------------------- | ------------------ |
 * | `merge` (merge commit)            | a new merge commit                      | that merge commit  |
 * | `rebase_merge` (semi-linear)      | a new merge commit (source is rebased)  | that merge commit  |
 * | `ff` (fast-forward)               | the source head                         | `null`             |
 * | `ff` + squash                     | the new squash commit                   | `null`             |
 * | `merge`/`rebase_merge` + squash   | a merge commit of the squash commit     | that merge commit  |
 *
 * `merge_commit!` returns `{ commit_sha, merge_commit_sha }`, `fast_forward!` only `{ commit_sha }`;
 * `squash_commit_sha` is stored on the merge request (the squash commit whenever the merge
 * squashed, whatever the method) but is not among
 * `Gitlab::HookData::MergeRequestBuilder::SAFE_HOOK_ATTRIBUTES`, so no hook carries it; the merge
 * request API (`GET /projects/:id/merge_requests/:iid`) does (`mergeRequest` below).
 * `last_commit` is `diff_head_commit`: always the source head before any squash or rebase.
 * The push is made by the merging user (`repository.merge(current_user, …)` /
 * `repository.ff_merge(current_user, …)`), so the Push Hook's `user_username` is the merger's.
 */
export type MergeMethod = 'merge' | 'rebase_merge' | 'ff';

/** Every merge method GitLab offers, each without and with squash: what a table test covers. */
export const MERGE_METHODS_AND_SQUASH: ReadonlyArray<readonly [MergeMethod, boolean]> = [
  ['merge', false],
  ['merge', true],
  ['rebase_merge', false],
  ['rebase_merge', true],
  ['ff', false],
  ['ff', true],
];

export interface MergeEventsInput {
  method: MergeMethod;
  squash: boolean;
  project?: HookProjectInput;
  targetBranch?: string;
  sourceBranch?: string;
  iid?: number;
  title?: string;
  /** Who merges (and so pushes). */
  user?: HookUserInput;
  /** The source branch head; default random. */
  sourceHead?: string;
  /** The target branch head before the merge; default random. */
  targetHead?: string;
}

export interface MergeEvents {
  /** What the target branch has after the merge. */
  branchHead: string;
  mergeRequestHook: MergeRequestHookPayload;
  pushHook: PushHookPayload;
  /** The merge request as GitLab stores it after the merge (put it in the double's `mergeRequests`). */
  mergeRequest: StoredMergeRequest;
}

export function mergeEvents(input: MergeEventsInput): MergeEvents {
  const sourceHead = input.sourceHead ?? randomSha();
  const targetHead = input.targetHead ?? randomSha();
  const targetBranch = input.targetBranch ?? 'test';
  const title = input.title ?? 'Add refunds';
  const squashCommit = input.squash ? randomSha() : undefined;
  const mergedSource = squashCommit ?? sourceHead;
  const mergeCommit = input.method === 'ff' ? undefined : randomSha();
  const branchHead = mergeCommit ?? mergedSource;
  const pushed = [
    ...(mergeCommit === undefined
      ? []
      : [
          {
            id: mergeCommit,
            message: `Merge branch '${input.sourceBranch ?? 'feature/x'}' into '${targetBranch}'`,
          },
        ]),
    { id: mergedSource, message: title },
  ];
  const mergeRequestHook = buildMergeRequestHook({
    action: 'merge',
    targetBranch,
    sourceBranch: input.sourceBranch ?? 'feature/x',
    iid: input.iid ?? 77,
    title,
    mergeCommitSha: mergeCommit ?? null,
    lastCommit: { id: sourceHead, message: title },
    ...(input.user === undefined ? {} : { user: input.user }),
    ...(input.project === undefined ? {} : { project: input.project }),
  });
  const pushHook = buildPushHook({
    branch: targetBranch,
    before: targetHead,
    after: branchHead,
    commits: pushed,
    ...(input.user === undefined ? {} : { user: input.user }),
    ...(input.project === undefined ? {} : { project: input.project }),
  });
  const mergeRequest: StoredMergeRequest = {
    iid: input.iid ?? 77,
    title,
    sourceBranch: input.sourceBranch ?? 'feature/x',
    targetBranch,
    state: 'merged',
    diffHeadSha: sourceHead,
    diffStartSha: targetHead,
    mergeCommitSha: mergeCommit ?? null,
    squashCommitSha: squashCommit ?? null,
    squash: input.squash,
    mergedAt: new Date(),
    mergedBy: { username: mergeRequestHook.user.username, name: mergeRequestHook.user.name },
    createdAt: new Date(),
  };
  return { branchHead, mergeRequestHook, pushHook, mergeRequest };
}
