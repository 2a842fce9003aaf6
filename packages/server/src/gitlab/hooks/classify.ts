import type { ProjectRef } from '@ferry/shared';
import type { EnvironmentMap } from '../../pipeline/environment-map.js';
import type { Classification, MergeNote, PipelineIntent } from '../../pipeline/intent.js';
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
export function classifyMergeRequest(
  hook: MergeRequestHook,
  environments: EnvironmentMap,
  forks: 'refuse' | 'without-secrets' = 'refuse',
): Classification {
  const mr = hook.object_attributes;
  if (mr.action !== 'merge') return classifyOpenMergeRequest(hook, environments, forks);
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

/**
 * Merge request checks: `open`, `reopen`, and an `update` that pushed new commits (GitLab sets
 * `oldrev` only then; a title, label or description change starts nothing) run the test stage on
 * the source commit (`last_commit.id`), reported on that commit so the merge request widget shows
 * them. `close` cancels them. Only merge requests into an environment branch are checked.
 */
function classifyOpenMergeRequest(
  hook: MergeRequestHook,
  environments: EnvironmentMap,
  forks: 'refuse' | 'without-secrets',
): Classification {
  const mr = hook.object_attributes;
  const action = mr.action ?? 'none';
  if (action === 'close') {
    return { kind: 'close', projectId: hook.project.id, iid: mr.iid, by: hook.user.username };
  }
  const startsChecks =
    action === 'open' || action === 'reopen' || (action === 'update' && typeof mr.oldrev === 'string');
  if (!startsChecks) {
    return {
      kind: 'ignore',
      reason:
        action === 'update'
          ? 'merge request update without new commits'
          : `merge request action ${action} starts nothing`,
    };
  }
  const rule = environments.forBranch(hook.project.path_with_namespace, mr.target_branch);
  if (rule === undefined) {
    return { kind: 'ignore', reason: `target branch ${mr.target_branch} is not an environment branch` };
  }
  const sha = mr.last_commit?.id;
  if (sha === undefined) return { kind: 'ignore', reason: 'merge request has no source commit' };
  const fork =
    mr.source_project_id !== undefined &&
    mr.target_project_id !== undefined &&
    mr.source_project_id !== mr.target_project_id;
  if (fork && forks === 'refuse') {
    return {
      kind: 'ignore',
      reason:
        'merge request from a fork: Ferry does not run forks (gitlab.forkMergeRequests is refuse); set it to without-secrets to run its tests with no secrets',
    };
  }
  const intent: PipelineIntent = {
    project: projectRef(hook.project),
    rule,
    ref: mr.source_branch,
    sha,
    trigger: 'merge_request',
    user: { username: hook.user.username, name: hook.user.name },
    commitTitle: titleOf(mr.last_commit?.title ?? mr.title),
    mergeRequest: { iid: mr.iid, title: titleOf(mr.title), sourceBranch: mr.source_branch, url: mr.url },
    kind: 'merge_request',
    stages: ['test'],
  };
  if (fork) {
    intent.withoutSecrets = true;
    const clone = mr.source?.git_http_url;
    if (clone !== undefined) intent.cloneUrl = clone;
  }
  return { kind: 'pipeline', intent };
}
