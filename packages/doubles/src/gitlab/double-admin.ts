import type { IncomingCall, Reply } from '../shared/loopback-server.js';
import { json } from './api-helpers.js';
import { type GitLabUser, tokenFrom } from './gitlab-users.js';
import type { ProjectStore } from './project-store.js';

/**
 * Not GitLab's: how a process outside the double's own (a script, `ferry-gitlab-double` used by
 * hand) tells it what happened in the repository, which GitLab knows by hosting it. Under a
 * prefix GitLab does not route (`/-/` paths are its UI's), and only with one of the double's tokens.
 *
 *   POST /-/double/projects  {"id": 42, "path": "group/name", "default_branch"?, "http_url_to_repo"?}
 *   POST /-/double/branches  {"project": 42 | "group/name", "branch": "test", "sha": "<40 hex>",
 *                             "commits"?: ["<sha>", …]}   (commits the push brought, besides the head)
 */
export const DOUBLE_ADMIN_PREFIX = '/-/double/';

interface AdminContext {
  projects: ProjectStore;
  tokens: Map<string, GitLabUser>;
}

const SHA = /^[0-9a-f]{40}$/;

export function doubleAdmin(call: IncomingCall, ctx: AdminContext): Reply {
  const token = tokenFrom(call.headers, call.query);
  if (token === undefined || !ctx.tokens.has(token)) return json(401, { message: '401 Unauthorized' });
  if (call.method !== 'POST') return json(405, { message: 'POST only' });
  const body = (call.body ?? {}) as Record<string, unknown>;
  const what = call.path.slice(DOUBLE_ADMIN_PREFIX.length);
  try {
    if (what === 'projects') {
      if (typeof body.id !== 'number' || typeof body.path !== 'string')
        return json(400, { message: 'id (number) and path (group/name) are required' });
      const project = ctx.projects.addProject({
        id: body.id,
        path_with_namespace: body.path,
        ...(typeof body.default_branch === 'string' ? { default_branch: body.default_branch } : {}),
        ...(typeof body.http_url_to_repo === 'string' ? { httpUrlToRepo: body.http_url_to_repo } : {}),
      });
      return json(201, { id: project.id, path_with_namespace: project.pathWithNamespace });
    }
    if (what === 'branches') {
      const project = body.project;
      const { branch, sha } = body;
      const commits = Array.isArray(body.commits) ? body.commits : [];
      if (
        (typeof project !== 'number' && typeof project !== 'string') ||
        typeof branch !== 'string' ||
        typeof sha !== 'string' ||
        !SHA.test(sha) ||
        !commits.every((c): c is string => typeof c === 'string' && SHA.test(c))
      )
        return json(400, { message: 'project, branch and a full sha are required; commits are full shas' });
      if (ctx.projects.find(project) === undefined) return json(404, { message: '404 Project Not Found' });
      ctx.projects.setBranch(project, branch, sha);
      for (const commit of commits) ctx.projects.addCommit(project, commit, [branch]);
      return json(200, { project, branch, sha });
    }
    return json(404, { message: `no ${what} here: projects or branches` });
  } catch (err) {
    return json(409, { message: err instanceof Error ? err.message : String(err) });
  }
}
