import type { IncomingCall, Reply } from '../shared/loopback-server.js';
import {
  type ApiContextBase,
  can,
  forbidden,
  json,
  mergedParams,
  notFound,
  type Route,
  unauthorized,
  visibleProject,
} from './api-helpers.js';
import {
  type DeploymentStore,
  ENVIRONMENT_NAME,
  ENVIRONMENT_TIERS,
  type EnvironmentTier,
  REQUESTED_DEPLOYMENT_STATUSES,
  type RequestedDeploymentStatus,
  type StoredDeployment,
  type StoredEnvironment,
} from './deployment-store.js';
import { atLeast, type GitLabUser, userBasic } from './gitlab-users.js';
import { GrapeParams } from './grape-params.js';
import type { StoredProject } from './project-store.js';

export interface DeploymentApiContext extends ApiContextBase {
  readonly deployments: DeploymentStore;
  userById(id: number): GitLabUser;
}

/**
 * `lib/api/environments.rb` and `lib/api/deployments.rb` (GitLab 17.x; create/update since 12.4):
 * `authenticate!` first (401), `user_project` (404), then `authorize!` (403). Creating and updating
 * need `create_environment` / `create_deployment` / `update_deployment`: Developer and up.
 */
export function deploymentRoutes(ctx: DeploymentApiContext): Route[] {
  return [
    {
      method: 'GET',
      pattern: ['projects', ':id', 'environments'],
      handle: (c, u, p) => listEnvironments(ctx, c, u, p),
    },
    {
      method: 'POST',
      pattern: ['projects', ':id', 'environments'],
      handle: (c, u, p) => createEnvironment(ctx, c, u, p),
    },
    {
      method: 'PUT',
      pattern: ['projects', ':id', 'environments', ':environment_id'],
      handle: (c, u, p) => updateEnvironment(ctx, c, u, p),
    },
    {
      method: 'GET',
      pattern: ['projects', ':id', 'deployments'],
      handle: (c, u, p) => listDeployments(ctx, c, u, p),
    },
    {
      method: 'POST',
      pattern: ['projects', ':id', 'deployments'],
      handle: (c, u, p) => createDeployment(ctx, c, u, p),
    },
    {
      method: 'PUT',
      pattern: ['projects', ':id', 'deployments', ':deployment_id'],
      handle: (c, u, p) => updateDeployment(ctx, c, u, p),
    },
  ];
}

type Handler = (
  ctx: DeploymentApiContext,
  call: IncomingCall,
  user: GitLabUser | undefined,
  p: Record<string, string>,
) => Reply;

/** `authenticate!` then `user_project`; the project, or the reply to give. */
function projectFor(
  ctx: DeploymentApiContext,
  user: GitLabUser | undefined,
  id: string,
): StoredProject | Reply {
  if (!user) return unauthorized();
  return visibleProject(ctx, id, user) ?? notFound('Project');
}

const isReply = (v: StoredProject | Reply): v is Reply => 'status' in v && 'body' in v;

const listEnvironments: Handler = (ctx, call, user, p) => {
  const project = projectFor(ctx, user, p['id'] as string);
  if (isReply(project)) return project;
  if (!can(project, user, 'reporter')) return forbidden();
  const params = new GrapeParams(mergedParams(call, p));
  const name = params.string('name');
  const failure = params.failure();
  if (failure) return json(400, failure);
  const found = ctx.deployments.environments.filter(
    (e) => e.projectId === project.id && (name === undefined || e.name === name),
  );
  return json(
    200,
    found.map((e) => environmentEntity(e)),
  );
};

function validateEnvironment(name: string | undefined, externalUrl: string | undefined) {
  const errors: Record<string, string[]> = {};
  if (name !== undefined && !ENVIRONMENT_NAME.test(name)) {
    errors['name'] = [
      "can contain only letters, digits, '-', '_', '/', '$', '{', '}', '.', and spaces, but it cannot start or end with '/'",
    ];
  }
  if (externalUrl !== undefined && externalUrl !== '' && !/^https?:\/\/[^\s]+$/.test(externalUrl)) {
    errors['external_url'] = ['is blocked: Only allowed schemes are http, https'];
  }
  return Object.keys(errors).length === 0 ? undefined : errors;
}

const createEnvironment: Handler = (ctx, call, user, p) => {
  const project = projectFor(ctx, user, p['id'] as string);
  if (isReply(project)) return project;
  const params = new GrapeParams(mergedParams(call, p));
  const name = params.string('name', { required: true });
  const externalUrl = params.string('external_url');
  const tier = params.string('tier', { values: ENVIRONMENT_TIERS });
  const failure = params.failure();
  if (failure) return json(400, failure);
  if (!user || !atLeast(user, 'developer')) return forbidden();
  const errors = validateEnvironment(name, externalUrl) ?? {};
  if (name !== undefined && ctx.deployments.environment(project.id, name)) {
    errors['name'] = [...(errors['name'] ?? []), 'has already been taken'];
  }
  if (Object.keys(errors).length > 0) return json(400, { message: errors });
  const env = ctx.deployments.createEnvironment(project.id, name as string, ctx.now(), {
    externalUrl,
    tier: tier as EnvironmentTier | undefined,
  });
  return json(201, environmentEntity(env));
};

const updateEnvironment: Handler = (ctx, call, user, p) => {
  const project = projectFor(ctx, user, p['id'] as string);
  if (isReply(project)) return project;
  const params = new GrapeParams(mergedParams(call, p));
  const id = params.integer('environment_id');
  const externalUrl = params.string('external_url');
  const tier = params.string('tier', { values: ENVIRONMENT_TIERS });
  const failure = params.failure();
  if (failure) return json(400, failure);
  if (!user || !atLeast(user, 'developer')) return forbidden();
  const env = id === undefined ? undefined : ctx.deployments.environmentById(project.id, id);
  if (!env) return notFound('Environment');
  const errors = validateEnvironment(undefined, externalUrl);
  if (errors) return json(400, { message: errors });
  if (externalUrl !== undefined) env.externalUrl = externalUrl === '' ? null : externalUrl;
  if (tier !== undefined) env.tier = tier as EnvironmentTier;
  env.updatedAt = ctx.now();
  return json(200, environmentEntity(env));
};

const listDeployments: Handler = (ctx, call, user, p) => {
  const project = projectFor(ctx, user, p['id'] as string);
  if (isReply(project)) return project;
  if (!can(project, user, 'reporter')) return forbidden();
  const params = new GrapeParams(mergedParams(call, p));
  const environment = params.string('environment');
  const status = params.string('status', {
    values: ['created', 'running', 'success', 'failed', 'canceled', 'skipped', 'blocked'],
  });
  const failure = params.failure();
  if (failure) return json(400, failure);
  const found = ctx.deployments.deployments.filter((d) => {
    if (d.projectId !== project.id) return false;
    if (status !== undefined && d.status !== status) return false;
    const env = ctx.deployments.environmentById(project.id, d.environmentId);
    return environment === undefined || env?.name === environment;
  });
  return json(
    200,
    found.map((d) => deploymentEntity(ctx, project, d)),
  );
};

const createDeployment: Handler = (ctx, call, user, p) => {
  const project = projectFor(ctx, user, p['id'] as string);
  if (isReply(project)) return project;
  const params = new GrapeParams(mergedParams(call, p));
  const environment = params.string('environment', { required: true });
  const sha = params.string('sha', { required: true });
  const ref = params.string('ref', { required: true });
  const tag = params.boolean('tag');
  if (params.failure() === undefined && tag === undefined) params.errors.push('tag is missing');
  const status = params.string('status', { required: true, values: REQUESTED_DEPLOYMENT_STATUSES });
  const failure = params.failure();
  if (failure) return json(400, failure);
  // authorize!(:create_deployment) and authorize!(:create_environment): Developer and up.
  if (!user || !atLeast(user, 'developer')) return forbidden();
  let env = ctx.deployments.environment(project.id, environment as string);
  if (!env) {
    const errors = validateEnvironment(environment, undefined);
    if (errors) return json(400, { message: errors });
    env = ctx.deployments.createEnvironment(project.id, environment as string, ctx.now());
  }
  const deployment = ctx.deployments.createDeployment(
    env,
    { ref: ref as string, sha: sha as string, tag: tag === true, userId: user.id },
    ctx.now(),
  );
  ctx.deployments.updateStatus(deployment, status as RequestedDeploymentStatus, ctx.now());
  return json(201, deploymentEntity(ctx, project, deployment));
};

const updateDeployment: Handler = (ctx, call, user, p) => {
  const project = projectFor(ctx, user, p['id'] as string);
  if (isReply(project)) return project;
  const params = new GrapeParams(mergedParams(call, p));
  const id = params.integer('deployment_id');
  const status = params.string('status', { required: true, values: REQUESTED_DEPLOYMENT_STATUSES });
  const failure = params.failure();
  if (failure) return json(400, failure);
  if (!can(project, user, 'reporter')) return forbidden();
  const deployment = id === undefined ? undefined : ctx.deployments.deployment(project.id, id);
  if (!deployment) return notFound('Deployment');
  if (!user || !atLeast(user, 'developer')) return forbidden();
  const result = ctx.deployments.updateStatus(deployment, status as RequestedDeploymentStatus, ctx.now());
  if (!result.ok) {
    return json(400, { message: { status: [`cannot transition via "${result.event}"`] } });
  }
  return json(200, deploymentEntity(ctx, project, deployment));
};

/** `Entities::EnvironmentBasic` plus the fields of `Entities::Environment` clients read. */
function environmentEntity(env: StoredEnvironment): Record<string, unknown> {
  return {
    id: env.id,
    name: env.name,
    slug: env.slug,
    external_url: env.externalUrl,
    created_at: env.createdAt.toISOString(),
    updated_at: env.updatedAt.toISOString(),
    tier: env.tier,
    state: env.state,
  };
}

/** `Entities::DeploymentExtended` (the fields clients read). */
function deploymentEntity(
  ctx: DeploymentApiContext,
  project: StoredProject,
  d: StoredDeployment,
): Record<string, unknown> {
  const env = ctx.deployments.environmentById(project.id, d.environmentId) as StoredEnvironment;
  return {
    id: d.id,
    iid: d.iid,
    ref: d.ref,
    sha: d.sha,
    created_at: d.createdAt.toISOString(),
    updated_at: d.updatedAt.toISOString(),
    status: d.status,
    user: userBasic(ctx.userById(d.userId), project.instanceUrl),
    environment: environmentEntity(env),
    deployable: null,
    approvals: [],
  };
}
