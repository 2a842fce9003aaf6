import { createHash } from 'node:crypto';
import type { IncomingCall, Reply, Router } from '../shared/loopback-server.js';
import {
  can,
  forbidden,
  json,
  mergedParams,
  notFound,
  type Route,
  requestId,
  routeNotFound,
  unauthorized,
  visibleProject,
} from './api-helpers.js';
import { canPushOrMergeToBranch } from './branch-access.js';
import { branchRoutes } from './branch-routes.js';
import { REQUESTED_STATES, type RequestedState } from './commit-status-machine.js';
import type { CommitStatusStore } from './commit-status-store.js';
import { type DeploymentApiContext, deploymentRoutes } from './deployment-routes.js';
import { commitStatusEntity, projectEntity } from './gitlab-entities.js';
import { atLeast, type GitLabUser, roleLevel, tokenFrom, userBasic } from './gitlab-users.js';
import { GrapeParams } from './grape-params.js';
import { type MergeRequestApiContext, mergeRequestRoutes } from './merge-request-routes.js';
import { paginate } from './pagination.js';
import { postCommitStatus, visibleStatuses } from './post-commit-status.js';
import { type ProjectStore, readFileAt, resolveCommit } from './project-store.js';

/** The `/api/v4` subset the double serves, answering as GitLab does (bodies, statuses, headers). */

export interface GitLabApiContext extends DeploymentApiContext, MergeRequestApiContext {
  readonly projects: ProjectStore;
  readonly statuses: CommitStatusStore;
  /** token → user */
  readonly tokens: Map<string, GitLabUser>;
  readonly version: string;
  /** Base URL of the double, for pagination links. */
  baseUrl(): string;
  now(): Date;
}

const API_PREFIX = '/api/v4/';

export { json };

export function gitlabApiRouter(ctx: GitLabApiContext): Router {
  const routes: Route[] = [
    ...branchRoutes(ctx),
    ...deploymentRoutes(ctx),
    ...mergeRequestRoutes(ctx),
    { method: 'GET', pattern: ['version'], handle: (_c, user) => version(ctx, user) },
    { method: 'GET', pattern: ['user'], handle: (_c, user) => currentUser(user) },
    { method: 'GET', pattern: ['projects', ':id'], handle: (_c, user, p) => showProject(ctx, user, p) },
    {
      method: 'GET',
      pattern: ['projects', ':id', 'repository', 'files', ':file_path', 'raw'],
      handle: (c, user, p) => rawFile(ctx, c, user, p),
    },
    {
      method: 'GET',
      pattern: ['projects', ':id', 'repository', 'commits', ':sha', 'statuses'],
      handle: (c, user, p) => listStatuses(ctx, c, user, p),
    },
    {
      method: 'POST',
      pattern: ['projects', ':id', 'statuses', ':sha'],
      handle: (c, user, p) => createStatus(ctx, c, user, p),
    },
  ];

  return (call) => {
    if (!call.path.startsWith(API_PREFIX)) return routeNotFound();
    let segments: string[];
    try {
      segments = call.path.slice(API_PREFIX.length).split('/').map(decodeURIComponent);
    } catch {
      return json(400, { error: '400 Bad request - invalid percent-encoding in path' });
    }
    const matches = routes
      .map((route) => ({ route, params: match(route.pattern, segments) }))
      .filter((m): m is { route: Route; params: Record<string, string> } => m.params !== undefined);
    if (matches.length === 0) return routeNotFound();
    const hit = matches.find((m) => m.route.method === call.method);
    if (!hit) return json(405, { error: '405 Not Allowed' });

    const token = tokenFrom(call.headers, call.query);
    const user = token === undefined ? undefined : ctx.tokens.get(token);
    if (token !== undefined && user === undefined) return unauthorized();
    if (call.bodyParseError) return json(400, { error: 'The request body is not valid JSON' });
    return hit.route.handle(call, user, hit.params);
  };
}

function match(pattern: string[], segments: string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i += 1) {
    const want = pattern[i] as string;
    const got = segments[i] as string;
    if (want.startsWith(':')) {
      if (got === '') return undefined;
      params[want.slice(1)] = got;
    } else if (want !== got) {
      return undefined;
    }
  }
  return params;
}

function version(ctx: GitLabApiContext, user: GitLabUser | undefined): Reply {
  if (!user) return unauthorized();
  return json(200, {
    version: ctx.version,
    revision: 'f0e1d2c3b4a',
    kas: { enabled: false },
    enterprise: false,
  });
}

function currentUser(user: GitLabUser | undefined): Reply {
  if (!user) return unauthorized();
  return json(200, { ...userBasic(user, 'https://gitlab.example.com'), bot: user.username.endsWith('-bot') });
}

function showProject(ctx: GitLabApiContext, user: GitLabUser | undefined, p: Record<string, string>): Reply {
  const project = visibleProject(ctx, p['id'] as string, user);
  if (!project) return notFound('Project');
  // `Entities::ProjectWithAccess` for a member: `permissions.project_access.access_level`.
  const access =
    user === undefined || user.role === 'none'
      ? null
      : { access_level: roleLevel(user.role), notification_level: 3 };
  return json(200, {
    ...projectEntity(project),
    permissions: { project_access: access, group_access: null },
  });
}

function rawFile(
  ctx: GitLabApiContext,
  call: IncomingCall,
  user: GitLabUser | undefined,
  p: Record<string, string>,
) {
  const params = new GrapeParams(mergedParams(call, p));
  const filePath = params.string('file_path', { required: true }) ?? '';
  const ref = params.string('ref', { allowBlank: false });
  params.boolean('lfs');
  const normalized = filePath.replace(/^\/+/, '');
  if (normalized.split('/').some((s) => s === '..'))
    params.errors.push('file_path should be a valid file path');
  const failure = params.failure();
  if (failure) return json(400, failure);

  const project = visibleProject(ctx, p['id'] as string, user);
  if (!project) return notFound('Project');
  if (!can(project, user, 'reporter')) return forbidden();
  const wanted = ref ?? project.defaultBranch;
  const sha = resolveCommit(project, wanted);
  if (sha === undefined) return notFound('Commit');
  const content = readFileAt(project, wanted, sha, normalized);
  if (content === undefined) return notFound('File');

  const bytes = Buffer.from(content, 'utf8');
  const blobId = createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
  return {
    status: 200,
    body: content,
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'content-disposition': `inline; filename="${normalized.split('/').at(-1) ?? normalized}"`,
      'cache-control': 'no-cache, no-store',
      pragma: 'no-cache',
      expires: 'Fri, 01 Jan 1990 00:00:00 GMT',
      'x-gitlab-blob-id': blobId,
      'x-gitlab-commit-id': sha,
      'x-gitlab-content-sha256': createHash('sha256').update(bytes).digest('hex'),
      'x-gitlab-encoding': 'base64',
      'x-gitlab-execute-filemode': 'false',
      'x-gitlab-file-name': normalized.split('/').at(-1) ?? normalized,
      'x-gitlab-file-path': normalized,
      'x-gitlab-last-commit-id': sha,
      'x-gitlab-ref': wanted,
      'x-gitlab-size': String(bytes.length),
      'x-request-id': requestId(),
    },
  };
}

function listStatuses(
  ctx: GitLabApiContext,
  call: IncomingCall,
  user: GitLabUser | undefined,
  p: Record<string, string>,
): Reply {
  if (!user) return unauthorized();
  const params = new GrapeParams(mergedParams(call, p));
  const sha = params.string('sha', { required: true }) ?? '';
  const ref = params.string('ref');
  const stage = params.string('stage');
  const name = params.string('name');
  const pipelineId = params.integer('pipeline_id');
  const all = params.boolean('all') ?? false;
  const orderBy = params.string('order_by', { values: ['id', 'pipeline_id'] }) ?? 'id';
  const sort = params.string('sort', { values: ['asc', 'desc'] }) ?? 'asc';
  const page = params.integer('page');
  const perPage = params.integer('per_page');
  const failure = params.failure();
  if (failure) return json(400, failure);

  const project = visibleProject(ctx, p['id'] as string, user);
  if (!project) return notFound('Project');
  if (!can(project, user, 'reporter')) return forbidden();
  if (resolveCommit(project, sha) === undefined) return notFound('Commit');

  let statuses = visibleStatuses(ctx.statuses.forCommit(project.id, sha), all);
  if (pipelineId !== undefined) statuses = statuses.filter((s) => s.pipelineId === pipelineId);
  if (ref) statuses = statuses.filter((s) => s.ref === ref);
  if (stage) statuses = statuses.filter(() => stage === 'external');
  if (name) statuses = statuses.filter((s) => s.name === name);
  const key = orderBy === 'pipeline_id' ? 'pipelineId' : 'id';
  statuses = [...statuses].sort((a, b) => (sort === 'desc' ? b[key] - a[key] : a[key] - b[key]));

  const pageData = paginate(statuses, page, perPage, `${ctx.baseUrl()}${call.path}`);
  return json(
    200,
    pageData.items.map((s) => commitStatusEntity(s, authorOf(ctx, s.authorId), project.instanceUrl)),
    pageData.headers,
  );
}

function createStatus(
  ctx: GitLabApiContext,
  call: IncomingCall,
  user: GitLabUser | undefined,
  p: Record<string, string>,
): Reply {
  if (!user) return unauthorized();
  const params = new GrapeParams(mergedParams(call, p));
  const sha = params.string('sha', { required: true }) ?? '';
  // `skipped` is accepted from GitLab 17.6 (gitlab-org/gitlab MR 168350, issue 23636); older
  // versions declare `values: %w[pending running success failed canceled]` and Grape answers 400.
  const states = acceptsSkipped(ctx.version)
    ? REQUESTED_STATES
    : REQUESTED_STATES.filter((s) => s !== 'skipped');
  const state = params.string('state', { required: true, values: states });
  const ref = params.string('ref');
  const targetUrl = params.string('target_url');
  const description = params.string('description');
  const name = params.string('name');
  const context = params.string('context');
  const coverage = params.float('coverage');
  const pipelineId = params.integer('pipeline_id');
  const failure = params.failure();
  if (failure) return json(400, failure);

  const project = visibleProject(ctx, p['id'] as string, user);
  if (!project) return notFound('Project');
  if (!atLeast(user, 'developer')) return forbidden();

  const result = postCommitStatus(
    ctx.statuses,
    project,
    user,
    {
      sha,
      state: state as RequestedState,
      ...(ref === undefined ? {} : { ref }),
      ...(name === undefined ? {} : { name }),
      ...(context === undefined ? {} : { context }),
      ...(targetUrl === undefined ? {} : { target_url: targetUrl }),
      ...(description === undefined ? {} : { description }),
      ...(coverage === undefined ? {} : { coverage }),
      ...(pipelineId === undefined ? {} : { pipeline_id: pipelineId }),
    },
    ctx.now(),
    (ref) => canPushOrMergeToBranch(project, user, ref),
  );
  if (!result.ok) return json(result.httpStatus, result.body);
  return json(201, commitStatusEntity(result.status, user, project.instanceUrl));
}

function authorOf(ctx: GitLabApiContext, id: number): GitLabUser {
  for (const user of ctx.tokens.values()) if (user.id === id) return user;
  return { id, username: `user${id}`, name: `User ${id}`, role: 'developer' };
}

/** Whether this GitLab version's commit status API takes `state: skipped` (17.6 and later). */
export function acceptsSkipped(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map((n) => Number.parseInt(n, 10));
  return major > 17 || (major === 17 && minor >= 6);
}
