import type { IncomingCall, Reply } from '../shared/loopback-server.js';
import {
  type ApiContextBase,
  can,
  forbidden,
  json,
  notFound,
  type Route,
  unauthorized,
  visibleProject,
} from './api-helpers.js';
import { canPushToBranch, developersCan } from './branch-access.js';
import { atLeast, type GitLabUser } from './gitlab-users.js';

/**
 * `GET /projects/:id/repository/branches/:branch` (`lib/api/branches.rb`, `Entities::Branch`) and
 * `GET /projects/:id/protected_branches/:name` (`lib/api/protected_branches.rb`, which starts with
 * `authorize_admin_project`: Maintainer and up, else 403). GitLab 17.x.
 */
export function branchRoutes(ctx: ApiContextBase): Route[] {
  return [
    {
      method: 'GET',
      pattern: ['projects', ':id', 'repository', 'branches', ':branch'],
      handle: (c, u, p) => showBranch(ctx, c, u, p),
    },
    {
      method: 'GET',
      pattern: ['projects', ':id', 'protected_branches', ':name'],
      handle: (c, u, p) => showProtectedBranch(ctx, c, u, p),
    },
  ];
}

function showBranch(
  ctx: ApiContextBase,
  _c: IncomingCall,
  user: GitLabUser | undefined,
  p: Record<string, string>,
): Reply {
  const project = visibleProject(ctx, p['id'] as string, user);
  if (!project) return notFound('Project');
  if (!can(project, user, 'reporter')) return forbidden();
  const name = p['branch'] as string;
  const head = project.branches.get(name);
  if (head === undefined) return notFound('Branch');
  return json(200, {
    name,
    commit: { id: head, short_id: head.slice(0, 8) },
    merged: false,
    protected: project.protectedBranches.has(name),
    developers_can_push: developersCan(project, name, 'push'),
    developers_can_merge: developersCan(project, name, 'merge'),
    can_push: user === undefined ? false : canPushToBranch(project, user, name),
    default: project.defaultBranch === name,
    web_url: `${project.instanceUrl}/${project.pathWithNamespace}/-/tree/${name}`,
  });
}

const levelName: Record<number, string> = {
  0: 'No access',
  30: 'Developers + Maintainers',
  40: 'Maintainers',
};

function showProtectedBranch(
  ctx: ApiContextBase,
  _c: IncomingCall,
  user: GitLabUser | undefined,
  p: Record<string, string>,
): Reply {
  if (!user) return unauthorized();
  const project = visibleProject(ctx, p['id'] as string, user);
  if (!project) return notFound('Project');
  if (!atLeast(user, 'maintainer')) return forbidden();
  const name = p['name'] as string;
  const rule = project.protectedBranches.get(name);
  if (rule === undefined) return notFound('Protected Branch');
  const access = (level: number, id: number) => [
    { id, access_level: level, access_level_description: levelName[level], user_id: null, group_id: null },
  ];
  return json(200, {
    id: 1,
    name,
    push_access_levels: access(rule.push, 11),
    merge_access_levels: access(rule.merge, 12),
    allow_force_push: false,
    code_owner_approval_required: false,
  });
}
