import { randomBytes } from 'node:crypto';
import { gitlabCommitTitle } from './commit-title.js';
import { loadGitLabFixture } from './fixtures.js';
import type {
  HookCommit,
  HookCommitAuthor,
  HookLastCommit,
  HookProject,
  HookUser,
  MergeRequestAction,
  MergeRequestHookPayload,
  PushHookPayload,
} from './webhook-types.js';

/**
 * Builders for GitLab webhook bodies. Each starts from a saved fixture (real-shaped payloads,
 * see packages/doubles/fixtures/gitlab/README.md) and changes only what the caller names, keeping the
 * fields GitLab derives from each other consistent (ref/branch, after/checkout_sha, project URLs,
 * commit title from message, MR state from action).
 */

export const ZERO_SHA = '0000000000000000000000000000000000000000';

export function randomSha(): string {
  return randomBytes(20).toString('hex');
}

export interface HookProjectInput {
  id?: number;
  /** `group/sub/project`; drives name, namespace and every URL unless those are given. */
  pathWithNamespace?: string;
  name?: string;
  namespace?: string;
  description?: string | null;
  defaultBranch?: string;
  visibilityLevel?: 0 | 10 | 20;
  /** Base URL of the GitLab instance, default `https://gitlab.example.com`. */
  instanceUrl?: string;
  /** Clone URL over HTTP; point it at a local `git http-backend` in end-to-end tests. */
  gitHttpUrl?: string;
  gitSshUrl?: string;
  ciConfigPath?: string | null;
}

export interface HookUserInput {
  id?: number;
  name?: string;
  username?: string;
  email?: string | null;
  avatarUrl?: string;
}

export interface HookCommitInput {
  /** Default: a random SHA (the head commit defaults to `after`). */
  id?: string;
  message?: string;
  timestamp?: string;
  author?: HookCommitAuthor;
  added?: string[];
  modified?: string[];
  removed?: string[];
}

export interface PushHookInput {
  /** Branch name; sets `ref` to `refs/heads/<branch>`. */
  branch?: string;
  /** Full ref, when something other than a branch is wanted. */
  ref?: string;
  before?: string;
  after?: string;
  /** A branch deletion: `after` becomes 40 zeros, `checkout_sha` null, no commits. */
  deleted?: boolean;
  /** Message of the head commit when `commits` is not given. */
  commitMessage?: string;
  /** Newest first, as GitLab sends them. */
  commits?: HookCommitInput[];
  totalCommitsCount?: number;
  refProtected?: boolean;
  user?: HookUserInput;
  project?: HookProjectInput;
}

export interface TagPushHookInput {
  tag?: string;
  /** The tag object (annotated) or commit (lightweight) SHA. */
  after?: string;
  /** The commit the tag points to. */
  checkoutSha?: string;
  /** Annotation message; `null` for lightweight tags. */
  message?: string | null;
  deleted?: boolean;
  user?: HookUserInput;
  project?: HookProjectInput;
}

export interface MergeRequestHookInput {
  action?: MergeRequestAction;
  id?: number;
  iid?: number;
  title?: string;
  description?: string;
  sourceBranch?: string;
  targetBranch?: string;
  /** For `merge`: default the fixture's merge commit (the `after` of `buildPushHook()`); otherwise `null`. */
  mergeCommitSha?: string | null;
  lastCommit?: HookCommitInput;
  /** Who acted: for `merge`, who merged (`user` and `merge_user_id`). */
  user?: HookUserInput;
  /** Who opened the merge request (`author_id`). */
  author?: HookUserInput;
  /** Set `oldrev` (an `update` that pushed new code). */
  oldrev?: string;
  project?: HookProjectInput;
}

export function buildHookProject(base: HookProject, input: HookProjectInput = {}): HookProject {
  const path = input.pathWithNamespace ?? base.path_with_namespace;
  const pathChanged = path !== base.path_with_namespace;
  const instance = (input.instanceUrl ?? new URL(base.web_url).origin).replace(/\/+$/, '');
  const host = new URL(instance).host;
  const segments = path.split('/');
  const web = `${instance}/${path}`;
  const ssh = input.gitSshUrl ?? `git@${host}:${path}.git`;
  const http = input.gitHttpUrl ?? `${web}.git`;
  const firstSegment = segments[0] ?? path;
  return {
    id: input.id ?? base.id,
    name: input.name ?? (pathChanged ? (segments.at(-1) ?? path) : base.name),
    description: input.description === undefined ? base.description : input.description,
    web_url: web,
    avatar_url: base.avatar_url,
    git_ssh_url: ssh,
    git_http_url: http,
    namespace:
      input.namespace ??
      (pathChanged ? firstSegment.charAt(0).toUpperCase() + firstSegment.slice(1) : base.namespace),
    visibility_level: input.visibilityLevel ?? base.visibility_level,
    path_with_namespace: path,
    default_branch: input.defaultBranch ?? base.default_branch,
    ci_config_path: input.ciConfigPath === undefined ? base.ci_config_path : input.ciConfigPath,
    homepage: web,
    url: ssh,
    ssh_url: ssh,
    http_url: http,
  };
}

function buildUser(base: HookUser, input: HookUserInput = {}): HookUser {
  return {
    id: input.id ?? base.id,
    name: input.name ?? base.name,
    username: input.username ?? base.username,
    avatar_url: input.avatarUrl ?? base.avatar_url,
    email: input.email === undefined ? base.email : (input.email ?? '[REDACTED]'),
  };
}

function buildCommit(project: HookProject, base: HookCommit, input: HookCommitInput, id: string): HookCommit {
  const message = input.message ?? base.message;
  return {
    id,
    message,
    title: gitlabCommitTitle(message),
    timestamp: input.timestamp ?? new Date().toISOString().replace(/\.\d{3}Z$/, '+00:00'),
    url: `${project.web_url}/-/commit/${id}`,
    author: input.author ?? base.author,
    added: input.added ?? [],
    modified: input.modified ?? [],
    removed: input.removed ?? [],
  };
}

/** A Push Hook; without input it is `push-merge-to-test.json` (a merge commit pushed to `test`). */
export function buildPushHook(input: PushHookInput = {}): PushHookPayload {
  const hook = loadGitLabFixture('push-merge-to-test');
  const baseCommit = hook.commits[0] as HookCommit;
  const project = buildHookProject(hook.project, input.project);
  const user = buildUser(
    {
      id: hook.user_id,
      name: hook.user_name,
      username: hook.user_username,
      email: hook.user_email ?? '[REDACTED]',
      avatar_url: hook.user_avatar,
    },
    input.user,
  );
  const ref = input.ref ?? (input.branch === undefined ? hook.ref : `refs/heads/${input.branch}`);

  let commits: HookCommit[];
  let after: string;
  if (input.deleted) {
    after = ZERO_SHA;
    commits = [];
  } else if (input.commits !== undefined) {
    after = input.after ?? input.commits[0]?.id ?? randomSha();
    commits = input.commits.map((c, i) =>
      buildCommit(project, baseCommit, c, c.id ?? (i === 0 ? after : randomSha())),
    );
  } else if (input.after !== undefined || input.commitMessage !== undefined) {
    after = input.after ?? randomSha();
    commits = [
      buildCommit(project, baseCommit, { message: input.commitMessage ?? baseCommit.message }, after),
    ];
  } else {
    after = hook.after;
    commits = hook.commits.map((c) => ({ ...c, url: `${project.web_url}/-/commit/${c.id}` }));
  }

  return {
    ...hook,
    before: input.before ?? hook.before,
    after,
    ref,
    ref_protected: input.refProtected ?? hook.ref_protected,
    checkout_sha: after === ZERO_SHA ? null : after,
    user_id: user.id,
    user_name: user.name,
    user_username: user.username,
    user_email: user.email,
    user_avatar: user.avatar_url,
    project_id: project.id,
    project,
    commits,
    total_commits_count: input.totalCommitsCount ?? commits.length,
    repository: repositoryOf(project, true),
  };
}

/** A Tag Push Hook; without input it is `tag-push.json` (annotated tag `v1.4.0`). */
export function buildTagPushHook(input: TagPushHookInput = {}): PushHookPayload {
  const hook = loadGitLabFixture('tag-push');
  const project = buildHookProject(hook.project, input.project);
  const user = buildUser(
    {
      id: hook.user_id,
      name: hook.user_name,
      username: hook.user_username,
      email: hook.user_email ?? '[REDACTED]',
      avatar_url: hook.user_avatar,
    },
    input.user,
  );
  const deleted = input.deleted === true;
  const after = deleted ? ZERO_SHA : (input.after ?? hook.after);
  return {
    ...hook,
    before: deleted ? (input.after ?? hook.after) : hook.before,
    after,
    ref: input.tag === undefined ? hook.ref : `refs/tags/${input.tag}`,
    checkout_sha: deleted ? null : (input.checkoutSha ?? hook.checkout_sha),
    message: input.message === undefined ? hook.message : input.message,
    user_id: user.id,
    user_name: user.name,
    user_username: user.username,
    user_email: user.email,
    user_avatar: user.avatar_url,
    project_id: project.id,
    project,
    commits: deleted ? [] : hook.commits,
    total_commits_count: deleted ? 0 : hook.total_commits_count,
    repository: repositoryOf(project, true),
  };
}

const STATE_BY_ACTION: Record<MergeRequestAction, { state: 'opened' | 'closed' | 'merged'; id: number }> = {
  open: { state: 'opened', id: 1 },
  reopen: { state: 'opened', id: 1 },
  update: { state: 'opened', id: 1 },
  approved: { state: 'opened', id: 1 },
  unapproved: { state: 'opened', id: 1 },
  approval: { state: 'opened', id: 1 },
  unapproval: { state: 'opened', id: 1 },
  close: { state: 'closed', id: 2 },
  merge: { state: 'merged', id: 3 },
};

/**
 * A Merge Request Hook; without input it is `merge-request-merged-to-test.json`
 * (`action: merge` of !57 `feature/refund-api` → `test`).
 */
export function buildMergeRequestHook(input: MergeRequestHookInput = {}): MergeRequestHookPayload {
  const hook = loadGitLabFixture('merge-request-merged-to-test');
  const attrs = hook.object_attributes;
  const project = buildHookProject(hook.project, input.project);
  const user = buildUser(hook.user, input.user);
  const authorId = input.author?.id ?? attrs.author_id;
  const action = input.action ?? attrs.action;
  const { state, id: stateId } = STATE_BY_ACTION[action];
  const iid = input.iid ?? attrs.iid;
  const mergeCommitSha =
    input.mergeCommitSha !== undefined
      ? input.mergeCommitSha
      : action === 'merge'
        ? attrs.merge_commit_sha
        : null;
  const lastCommit: HookLastCommit =
    input.lastCommit === undefined
      ? { ...attrs.last_commit, url: `${project.web_url}/-/commit/${attrs.last_commit.id}` }
      : withoutFileLists(
          buildCommit(
            project,
            { ...attrs.last_commit, added: [], modified: [], removed: [] },
            input.lastCommit,
            input.lastCommit.id ?? randomSha(),
          ),
        );

  const now = new Date();
  const changes: MergeRequestHookPayload['changes'] =
    action === 'merge'
      ? { state_id: { previous: 4, current: 3 }, updated_at: hook.changes['updated_at'] ?? rubyTimes(now) }
      : action === 'close'
        ? { state_id: { previous: 1, current: 2 }, updated_at: rubyTimes(now) }
        : action === 'reopen'
          ? { state_id: { previous: 2, current: 1 }, updated_at: rubyTimes(now) }
          : {};

  const { oldrev: _dropped, ...attrsWithoutOldrev } = attrs;
  return {
    ...hook,
    user,
    project,
    object_attributes: {
      ...attrsWithoutOldrev,
      id: input.id ?? attrs.id,
      iid,
      title: input.title ?? attrs.title,
      description: input.description ?? attrs.description,
      author_id: authorId,
      source_branch: input.sourceBranch ?? attrs.source_branch,
      target_branch: input.targetBranch ?? attrs.target_branch,
      source_project_id: project.id,
      target_project_id: project.id,
      merge_commit_sha: mergeCommitSha,
      merge_user_id: action === 'merge' ? user.id : null,
      merge_status: action === 'merge' ? 'can_be_merged' : attrs.merge_status,
      detailed_merge_status: state === 'opened' ? 'mergeable' : 'not_open',
      state,
      state_id: stateId,
      updated_by_id: user.id,
      last_commit: lastCommit,
      source: project,
      target: project,
      url: `${project.web_url}/-/merge_requests/${iid}`,
      action,
      ...(input.oldrev === undefined ? {} : { oldrev: input.oldrev }),
    },
    changes,
    repository: repositoryOf(project, false),
  };
}

function withoutFileLists(commit: HookCommit): HookLastCommit {
  const { added: _a, modified: _m, removed: _r, ...rest } = commit;
  return rest;
}

function repositoryOf(project: HookProject, withUrls: boolean): PushHookPayload['repository'] {
  const base = {
    name: project.name,
    url: project.url,
    description: project.description,
    homepage: project.homepage,
  };
  return withUrls
    ? {
        ...base,
        git_http_url: project.git_http_url,
        git_ssh_url: project.git_ssh_url,
        visibility_level: project.visibility_level,
      }
    : base;
}

/** `changes.updated_at` as GitLab formats it (`2025-03-14 02:21:08 UTC`). */
function rubyTimes(now: Date): { previous: string; current: string } {
  const fmt = (d: Date) => `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  return { previous: fmt(new Date(now.getTime() - 1000)), current: fmt(now) };
}
