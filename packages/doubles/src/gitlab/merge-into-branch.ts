import type { TestRepo } from '../git/git-server.js';
import type { GitLabDouble } from './gitlab-double.js';
import type { HookUserInput } from './webhook-payloads.js';
import { buildMergeRequestHook, buildPushHook } from './webhook-payloads.js';
import type { MergeRequestHookPayload, PushHookPayload } from './webhook-types.js';

export interface MergeIntoBranchInput {
  repo: TestRepo;
  gitlab: GitLabDouble;
  project: { id: number; path: string };
  /** The environment branch merged into (e.g. `test`). */
  target: string;
  /** Merge request number; the feature branch is named after it and the title. */
  iid: number;
  title: string;
  /** The feature branch's one commit (null deletes a file). */
  files: Record<string, string | Uint8Array | null>;
  user: HookUserInput;
}

export interface MergedIntoBranch {
  /** The merge commit, the target's new head. */
  sha: string;
  /** The feature branch's commit. */
  last: string;
  feature: string;
  /** The hooks GitLab sends about this merge, in the order it usually sends them. */
  hooks: { mergeRequest: MergeRequestHookPayload; push: PushHookPayload };
}

/**
 * Does in a real repository what a GitLab merge (merge-commit method, no squash) does: a feature
 * branch off the target with one commit, a merge commit on the target pushed by the merger; makes
 * the GitLab double know the new commits as GitLab does after that push; builds the Merge Request
 * Hook (`action: merge`) and the Push Hook GitLab sends for it. Sending them is the caller's.
 */
export async function mergeIntoBranch(input: MergeIntoBranchInput): Promise<MergedIntoBranch> {
  const { repo, gitlab, project, target, iid, title } = input;
  const feature = `feature/${iid}-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`.slice(0, 60);
  const before = await repo.head(target);
  await repo.createBranch(feature, target);
  const last = await repo.commit(input.files, title, feature);
  const mergeMessage = `Merge branch '${feature}' into '${target}'`;
  const sha = await repo.merge({
    from: feature,
    into: target,
    message: `${mergeMessage}\n\n${title}\n\nSee merge request ${project.path}!${iid}`,
  });
  gitlab.projects.setBranch(project.id, feature, last);
  gitlab.projects.setBranch(project.id, target, sha);
  gitlab.projects.addCommit(project.id, last, [target]);

  const hookProject = {
    id: project.id,
    pathWithNamespace: project.path,
    gitHttpUrl: repo.cloneUrl,
    instanceUrl: gitlab.url,
  };
  return {
    sha,
    last,
    feature,
    hooks: {
      mergeRequest: buildMergeRequestHook({
        action: 'merge',
        iid,
        title,
        sourceBranch: feature,
        targetBranch: target,
        mergeCommitSha: sha,
        lastCommit: { id: last, message: title },
        user: input.user,
        project: hookProject,
      }),
      push: buildPushHook({
        branch: target,
        before,
        after: sha,
        commits: [
          { id: sha, message: mergeMessage },
          { id: last, message: title },
        ],
        user: input.user,
        project: hookProject,
      }),
    },
  };
}
