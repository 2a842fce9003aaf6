import type { Reply } from '../shared/loopback-server.js';
import {
  type ApiContextBase,
  can,
  forbidden,
  json,
  notFound,
  type Route,
  visibleProject,
} from './api-helpers.js';
import type { GitLabUser } from './gitlab-users.js';
import type { MergeRequestStore, StoredMergeRequest } from './merge-request-store.js';
import type { StoredProject } from './project-store.js';

export interface MergeRequestApiContext extends ApiContextBase {
  readonly mergeRequests: MergeRequestStore;
}

/**
 * `GET /projects/:id/merge_requests/:merge_request_iid` (`lib/api/merge_requests.rb`:
 * `find_merge_request_with_access` → 404 `Merge Request Not Found`, 403 without
 * `read_merge_request`, which a private project gives from Reporter up), answered with the
 * fields of `API::Entities::MergeRequest` (< `MergeRequestBasic`) a client reads about a merge.
 * GitLab 17.x.
 */
export function mergeRequestRoutes(ctx: MergeRequestApiContext): Route[] {
  return [
    {
      method: 'GET',
      pattern: ['projects', ':id', 'merge_requests', ':iid'],
      handle: (_c, user, p) => showMergeRequest(ctx, user, p),
    },
  ];
}

function showMergeRequest(
  ctx: MergeRequestApiContext,
  user: GitLabUser | undefined,
  p: Record<string, string>,
): Reply {
  const project = visibleProject(ctx, p['id'] as string, user);
  if (!project) return notFound('Project');
  const iid = Number(p['iid']);
  // Grape's `requires :merge_request_iid, type: Integer`.
  if (!Number.isInteger(iid)) return json(400, { error: 'merge_request_iid is invalid' });
  const mr = ctx.mergeRequests.get(project.id, iid);
  if (mr === undefined) return notFound('Merge Request');
  if (!can(project, user, 'reporter')) return forbidden();
  return json(200, mergeRequestEntity(project, mr));
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

/**
 * `Entities::MergeRequestBasic`: `expose :diff_head_sha, as: :sha`, `:merge_commit_sha`,
 * `:squash_commit_sha`, `:squash`; merged_by/merged_at from the metrics; `merge_status` (a merged
 * MR keeps its last mergeability, `can_be_merged`) and `detailed_merge_status` (`not_open` once
 * merged, `MergeRequests::Mergeability::DetailedMergeStatusService`); `Entities::MergeRequest` adds
 * `diff_refs` (`base_sha`, `head_sha`, `start_sha` of the latest diff).
 */
function mergeRequestEntity(project: StoredProject, mr: StoredMergeRequest): Record<string, unknown> {
  const person = mr.mergedBy === null ? null : { username: mr.mergedBy.username, name: mr.mergedBy.name };
  return {
    id: project.id * 10_000 + mr.iid,
    iid: mr.iid,
    project_id: project.id,
    title: mr.title,
    state: mr.state,
    created_at: mr.createdAt.toISOString(),
    merged_by: person,
    merge_user: person,
    merged_at: iso(mr.mergedAt),
    target_branch: mr.targetBranch,
    source_branch: mr.sourceBranch,
    source_project_id: project.id,
    target_project_id: project.id,
    draft: false,
    merge_status: 'can_be_merged',
    detailed_merge_status: mr.state === 'opened' ? 'mergeable' : 'not_open',
    sha: mr.diffHeadSha,
    merge_commit_sha: mr.mergeCommitSha,
    squash_commit_sha: mr.squashCommitSha,
    squash: mr.squash,
    squash_on_merge: mr.squash,
    diff_refs: { base_sha: mr.diffStartSha, head_sha: mr.diffHeadSha, start_sha: mr.diffStartSha },
    web_url: `${project.instanceUrl}/${project.pathWithNamespace}/-/merge_requests/${mr.iid}`,
  };
}
