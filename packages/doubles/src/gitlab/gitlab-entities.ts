import type { StoredStatus } from './commit-status-store.js';
import { type GitLabUser, userBasic } from './gitlab-users.js';
import type { StoredProject } from './project-store.js';

/** JSON bodies shaped like GitLab's API entities (the fields clients read, not every one). */

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

/** `Entities::CommitStatus`. */
export function commitStatusEntity(
  status: StoredStatus,
  author: GitLabUser,
  instanceUrl: string,
): Record<string, unknown> {
  return {
    id: status.id,
    sha: status.sha,
    ref: status.ref,
    status: status.status,
    name: status.name,
    target_url: status.targetUrl,
    description: status.description,
    created_at: iso(status.createdAt),
    started_at: iso(status.startedAt),
    finished_at: iso(status.finishedAt),
    allow_failure: status.allowFailure,
    coverage: status.coverage,
    pipeline_id: status.pipelineId,
    author: userBasic(author, instanceUrl),
  };
}

/** `Entities::Project` (the common fields). */
export function projectEntity(project: StoredProject): Record<string, unknown> {
  const web = `${project.instanceUrl}/${project.pathWithNamespace}`;
  const host = new URL(project.instanceUrl).host;
  const segments = project.pathWithNamespace.split('/');
  const namespacePath = segments.slice(0, -1).join('/');
  const namespaceName = segments.at(-2) ?? namespacePath;
  return {
    id: project.id,
    description: project.description,
    name: project.name,
    name_with_namespace: segments.join(' / '),
    path: segments.at(-1),
    path_with_namespace: project.pathWithNamespace,
    created_at: project.createdAt.toISOString(),
    default_branch: project.defaultBranch,
    tag_list: [],
    topics: [],
    ssh_url_to_repo: `git@${host}:${project.pathWithNamespace}.git`,
    http_url_to_repo: project.httpUrlToRepo ?? `${web}.git`,
    web_url: web,
    readme_url: null,
    forks_count: 0,
    avatar_url: null,
    star_count: 0,
    last_activity_at: project.createdAt.toISOString(),
    visibility: project.visibility,
    namespace: {
      id: 1000 + namespacePath.length,
      name: namespaceName,
      path: namespaceName,
      kind: 'group',
      full_path: namespacePath,
      parent_id: null,
      avatar_url: null,
      web_url: `${project.instanceUrl}/groups/${namespacePath}`,
    },
    container_registry_image_prefix: `registry.${host}/${project.pathWithNamespace}`,
    _links: {
      self: `${project.instanceUrl}/api/v4/projects/${project.id}`,
      repo_branches: `${project.instanceUrl}/api/v4/projects/${project.id}/repository/branches`,
    },
    empty_repo: project.branches.size === 0,
    archived: false,
    ci_config_path: null,
  };
}
