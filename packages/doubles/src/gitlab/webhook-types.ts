/**
 * Shapes of the GitLab webhook payloads the fixtures hold (GitLab docs, "Webhook events").
 * Only what the fixtures carry; GitLab may add fields in later versions, so receivers must
 * ignore unknown keys.
 */

/** `X-Gitlab-Event` values for the events Ferry receives or must ignore. */
export type GitLabHookEvent =
  | 'Push Hook'
  | 'Tag Push Hook'
  | 'Merge Request Hook'
  | 'Note Hook'
  | 'Pipeline Hook'
  | 'Job Hook'
  | 'Issue Hook'
  | 'Deployment Hook'
  | 'Release Hook'
  | 'Wiki Page Hook'
  // A system hook's deliveries, whatever they carry (push and merge request events included):
  // WebHookService#build_headers, `hook_to_event` (GitLab 16.5+, MR !132167).
  | 'System Hook';

/** `project` (and `object_attributes.source/target`) as `Project#hook_attrs` builds it. */
export interface HookProject {
  id: number;
  name: string;
  description: string | null;
  web_url: string;
  avatar_url: string | null;
  git_ssh_url: string;
  git_http_url: string;
  namespace: string;
  visibility_level: number;
  path_with_namespace: string;
  default_branch: string;
  ci_config_path: string | null;
  homepage: string;
  url: string;
  ssh_url: string;
  http_url: string;
}

export interface HookCommitAuthor {
  name: string;
  email: string;
}

/** One entry of a push's `commits` (newest first, at most 20). */
export interface HookCommit {
  id: string;
  message: string;
  title: string;
  timestamp: string;
  url: string;
  author: HookCommitAuthor;
  added: string[];
  modified: string[];
  removed: string[];
}

/** `last_commit` of a merge request: a commit without the changed-file lists. */
export type HookLastCommit = Omit<HookCommit, 'added' | 'modified' | 'removed'>;

export interface HookRepository {
  name: string;
  url: string;
  description: string | null;
  homepage: string;
  git_http_url?: string;
  git_ssh_url?: string;
  visibility_level?: number;
}

/** Push Hook and Tag Push Hook bodies (`object_kind` `push` / `tag_push`). */
export interface PushHookPayload {
  object_kind: 'push' | 'tag_push';
  event_name: 'push' | 'tag_push';
  before: string;
  after: string;
  ref: string;
  ref_protected: boolean;
  /** `null` when the branch or tag was deleted. */
  checkout_sha: string | null;
  /** Annotated tag message; `null` for branch pushes. */
  message: string | null;
  user_id: number;
  user_name: string;
  user_username: string;
  user_email: string | null;
  user_avatar: string;
  project_id: number;
  project: HookProject;
  commits: HookCommit[];
  total_commits_count: number;
  push_options: Record<string, unknown>;
  repository: HookRepository;
}

export interface HookUser {
  id: number;
  name: string;
  username: string;
  avatar_url: string;
  email: string;
}

export type HookUserRef = Omit<HookUser, 'email'>;

export interface HookLabel {
  id: number;
  title: string;
  color: string;
  project_id: number | null;
  created_at: string;
  updated_at: string;
  template: boolean;
  description: string | null;
  type: string;
  group_id: number | null;
  lock_on_merge?: boolean;
}

export type MergeRequestAction =
  | 'open'
  | 'close'
  | 'reopen'
  | 'update'
  | 'approved'
  | 'unapproved'
  | 'approval'
  | 'unapproval'
  | 'merge';

export interface MergeRequestAttributes {
  assignee_id: number | null;
  author_id: number;
  created_at: string;
  description: string;
  draft: boolean;
  head_pipeline_id: number | null;
  id: number;
  iid: number;
  last_edited_at: string | null;
  last_edited_by_id: number | null;
  merge_commit_sha: string | null;
  merge_error: string | null;
  merge_params: Record<string, string>;
  merge_status: string;
  merge_user_id: number | null;
  merge_when_pipeline_succeeds: boolean;
  milestone_id: number | null;
  source_branch: string;
  source_project_id: number;
  /** 1 opened, 2 closed, 3 merged, 4 locked. */
  state_id: number;
  target_branch: string;
  target_project_id: number;
  time_estimate: number;
  title: string;
  updated_at: string;
  updated_by_id: number | null;
  prepared_at: string | null;
  assignee_ids: number[];
  blocking_discussions_resolved: boolean;
  detailed_merge_status: string;
  first_contribution: boolean;
  human_time_change: string | null;
  human_time_estimate: string | null;
  human_total_time_spent: string | null;
  labels: HookLabel[];
  last_commit: HookLastCommit;
  reviewer_ids: number[];
  source: HookProject;
  state: 'opened' | 'closed' | 'merged' | 'locked';
  target: HookProject;
  time_change: number;
  total_time_spent: number;
  url: string;
  work_in_progress: boolean;
  action: MergeRequestAction;
  /** Only present when the event carries new code (a push to the source branch). */
  oldrev?: string;
}

/** Merge Request Hook body (`object_kind` `merge_request`). */
export interface MergeRequestHookPayload {
  object_kind: 'merge_request';
  event_type: 'merge_request';
  /** Who performed the action (for `merge`: who merged). */
  user: HookUser;
  project: HookProject;
  object_attributes: MergeRequestAttributes;
  labels: HookLabel[];
  changes: Record<string, { previous: unknown; current: unknown }>;
  repository: HookRepository;
  assignees: HookUserRef[];
  reviewers: HookUserRef[];
}

/** Any JSON object body, for events the builders do not model (Pipeline Hook, Note Hook...). */
export type HookPayload = PushHookPayload | MergeRequestHookPayload | Record<string, unknown>;
