import type { ProjectRef } from '@ferry/shared';
import type { EnvironmentMap } from '../../pipeline/environment-map.js';
import type { Classification, MergeNote } from '../../pipeline/intent.js';
import { commitSchema, type MergeRequestHook, type PushHook } from './payloads.js';

const zeroSha = /^0+$/;
const maxTitle = 1000;

export function projectRef(project: PushHook['project']): ProjectRef {
  return {
    id: project.id,
    path: project.path_with_namespace,
    webUrl: project.web_url,
    cloneUrl: project.git_http_url,
  };
}

/** A commit title for storage: its first line, at most 1000 characters. Stored as data, never run. */
export function titleOf(message: string | undefined): string {
  const first = (message ?? '').split('\n', 1)[0] ?? '';
  const chars = Array.from(first);
  return chars.length > maxTitle ? `${chars.slice(0, maxTitle - 1).join('')}…` : first;
}

/** Push Hook → a pipeline for `checkout_sha` on an environment branch, or why not. Pure. */
export function classifyPush(hook: PushHook, environments: EnvironmentMap): Classification {
  if (hook.object_kind === 'tag_push' || hook.ref.startsWith('refs/tags/')) {
    return { kind: 'ignore', reason: 'tag push: Ferry deploys environment branches, not tags' };
  }
  if (!hook.ref.startsWith('refs/heads/')) return { kind: 'ignore', reason: 'not a branch push' };
  const branch = hook.ref.slice('refs/heads/'.length);
  if (zeroSha.test(hook.after)) return { kind: 'ignore', reason: `branch ${branch} was deleted` };
  const rule = environments.forBranch(hook.project.path_with_namespace, branch);
  if (rule === undefined) return { kind: 'ignore', reason: `branch ${branch} is not an environment branch` };
  const sha = hook.checkout_sha ?? hook.after;
  if (!/^[0-9a-f]{40}$|^[0-9a-f]{64}$/.test(sha))
    return { kind: 'ignore', reason: 'push has no commit to build' };
  const commit = builtCommit(hook.commits, sha);
  return {
    kind: 'pipeline',
    intent: {
      project: projectRef(hook.project),
      rule,
      ref: branch,
      sha,
      trigger: 'push',
      user: { username: hook.user_username, name: hook.user_name },
      commitTitle: titleOf(commit?.title ?? commit?.message),
    },
  };
}

/**
 * Merge Request Hook with action `merge` into an environment branch. With a merge commit (the
 * merge-commit and semi-linear methods) `merge_commit_sha` is what the branch now has: the merge's
 * pipeline runs on it (the push of the same sha is the same pipeline). A fast-forward merge
 * (squashed or not) has `merge_commit_sha: null` and GitLab names neither the squash commit nor the
 * rebased head, so the hook starts nothing: it notes who merged which merge request for the
 * pipeline the merge's push creates. Sources: `MergeRequests::MergeStrategies::FromSourceBranch`
 * (merge_commit_sha only for `merge_commit!`), `Gitlab::HookData::MergeRequestBuilder` (GitLab 17.x).
 */
export function classifyMergeRequest(hook: MergeRequestHook, environments: EnvironmentMap): Classification {
  const mr = hook.object_attributes;
  if (mr.action !== 'merge')
    return { kind: 'ignore', reason: `merge request action ${mr.action ?? 'none'} is not a merge` };
  const rule = environments.forBranch(hook.project.path_with_namespace, mr.target_branch);
  if (rule === undefined) {
    return { kind: 'ignore', reason: `target branch ${mr.target_branch} is not an environment branch` };
  }
  const project = projectRef(hook.project);
  const user = { username: hook.user.username, name: hook.user.name };
  const mergeRequest = { iid: mr.iid, title: titleOf(mr.title), sourceBranch: mr.source_branch, url: mr.url };
  const sha = mr.merge_commit_sha;
  if (sha === undefined || sha === null) {
    const note: MergeNote = { project, rule, ref: mr.target_branch, user, mergeRequest };
    if (mr.last_commit !== undefined) note.sourceSha = mr.last_commit.id;
    return { kind: 'note', note };
  }
  return {
    kind: 'pipeline',
    intent: {
      project,
      rule,
      ref: mr.target_branch,
      sha,
      trigger: 'merge',
      user,
      commitTitle: titleOf(mr.title),
      mergeRequest,
    },
  };
}

/** The commit being built among a push's commits (newest first), validated; else the newest. */
function builtCommit(
  commits: readonly unknown[],
  sha: string,
): { title?: string; message?: string } | undefined {
  const found =
    commits.find((c) => typeof c === 'object' && c !== null && (c as { id?: unknown }).id === sha) ??
    commits[0];
  const parsed = commitSchema.safeParse(found);
  return parsed.success ? parsed.data : undefined;
}
