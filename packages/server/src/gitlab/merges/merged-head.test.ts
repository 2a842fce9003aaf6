import { describe, expect, it } from 'vitest';
import { mergedHeadOf, mergeRequestApiSchema } from './merged-head.js';

const source = 'a'.repeat(40);
const mergeCommit = 'b'.repeat(40);
const squashCommit = 'c'.repeat(40);

/** What `GET /projects/:id/merge_requests/:iid` answers after each merge method (GitLab 17.x). */
const merged = (merge_commit_sha: string | null, squash_commit_sha: string | null) =>
  mergeRequestApiSchema.parse({
    iid: 7,
    state: 'merged',
    target_branch: 'test',
    sha: source,
    merge_commit_sha,
    squash_commit_sha,
    squash: squash_commit_sha !== null,
    diff_refs: { base_sha: 'd'.repeat(40), head_sha: source, start_sha: 'd'.repeat(40) },
  });

describe('mergedHeadOf', () => {
  it.each([
    ['merge commit or semi-linear', merged(mergeCommit, null), mergeCommit, 'merge_commit_sha'],
    [
      'merge commit or semi-linear + squash',
      merged(mergeCommit, squashCommit),
      mergeCommit,
      'merge_commit_sha',
    ],
    ['fast-forward', merged(null, null), source, 'sha'],
    ['fast-forward + squash', merged(null, squashCommit), squashCommit, 'squash_commit_sha'],
  ])('%s: the branch head', (_method, mr, sha, by) => {
    expect(mergedHeadOf(mr)).toEqual({ kind: 'head', sha, by });
  });

  it.each(['opened', 'locked', 'closed'])('state %s: not merged (yet), nothing named', (state) => {
    expect(mergedHeadOf({ ...merged(mergeCommit, null), state })).toEqual({ kind: 'not-merged', state });
  });

  it('merged without any sha: unknown', () => {
    expect(mergedHeadOf({ iid: 7, state: 'merged', target_branch: 'test', sha: null })).toEqual({
      kind: 'unknown',
    });
  });

  it('refuses an answer whose shas are not commit ids', () => {
    expect(
      mergeRequestApiSchema.safeParse({ iid: 7, state: 'merged', target_branch: 'x', sha: 'HEAD' }).success,
    ).toBe(false);
  });
});
