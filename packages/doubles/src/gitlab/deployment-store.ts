/**
 * GitLab's environments and deployments, as the Environments and Deployments APIs drive them.
 * Sources (gitlab-org/gitlab): `app/models/deployment.rb` (the state machine, unchanged in this
 * respect from 12.4 through 17.x), `lib/api/deployments.rb` (API since 12.4),
 * `app/services/deployments/create_service.rb` and `update_service.rb`, `lib/api/environments.rb`,
 * `app/models/environment.rb` (name rules, tier guess).
 *
 *   event     transition                        API status that fires it
 *   run       created → running                 running
 *   succeed   any but success → success         success
 *   drop      any but failed → failed           failed
 *   cancel    any but canceled → canceled       canceled
 *
 * A deployment is created in `created` and `update_status(status)` fires the event at once, so
 * `POST … status: running` answers a running deployment. An event that is not allowed (`running`
 * again, or `running` after a terminal state) leaves it as it is and the API answers 400 with the
 * model's errors: `{"message":{"status":["cannot transition via \"run\""]}}`.
 */
export type DeploymentStatus = 'created' | 'running' | 'success' | 'failed' | 'canceled';
export type RequestedDeploymentStatus = Exclude<DeploymentStatus, 'created'>;
export const REQUESTED_DEPLOYMENT_STATUSES: readonly RequestedDeploymentStatus[] = [
  'running',
  'success',
  'failed',
  'canceled',
];

const EVENT_OF: Record<RequestedDeploymentStatus, string> = {
  running: 'run',
  success: 'succeed',
  failed: 'drop',
  canceled: 'cancel',
};

/** The status after `update_status(requested)` from `current`, or the event GitLab could not fire. */
export function deploymentTransition(
  current: DeploymentStatus,
  requested: RequestedDeploymentStatus,
): { ok: true; status: DeploymentStatus } | { ok: false; event: string } {
  const allowed = requested === 'running' ? current === 'created' : current !== requested;
  return allowed ? { ok: true, status: requested } : { ok: false, event: EVENT_OF[requested] };
}

export type EnvironmentTier = 'production' | 'staging' | 'testing' | 'development' | 'other';
export const ENVIRONMENT_TIERS: readonly EnvironmentTier[] = [
  'production',
  'staging',
  'testing',
  'development',
  'other',
];

/** `Environment#guess_tier` (GitLab 13.10+): the tier an environment gets from its name. */
export function guessTier(name: string): EnvironmentTier {
  if (/(dev|review|trunk)/i.test(name)) return 'development';
  if (/(test|tst|int|ac(ce|)pt|qa|qc|control|quality)/i.test(name)) return 'testing';
  if (/(st(a|)g|mod(e|)l|pre|demo|non)/i.test(name)) return 'staging';
  if (/(pr(o|)d|live)/i.test(name)) return 'production';
  return 'other';
}

/** `Gitlab::Regex.environment_name_regex`: letters, digits, spaces and `-_/${}.` */
export const ENVIRONMENT_NAME = /^[a-zA-Z0-9 \-_/${}.]+$/;

export interface StoredEnvironment {
  readonly id: number;
  readonly projectId: number;
  readonly name: string;
  readonly slug: string;
  externalUrl: string | null;
  tier: EnvironmentTier;
  state: 'available' | 'stopping' | 'stopped';
  readonly createdAt: Date;
  updatedAt: Date;
}

export interface StoredDeployment {
  readonly id: number;
  readonly iid: number;
  readonly projectId: number;
  readonly environmentId: number;
  readonly ref: string;
  readonly sha: string;
  readonly tag: boolean;
  readonly userId: number;
  status: DeploymentStatus;
  readonly createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
  /** Every status it went through, in order (for tests). */
  readonly history: DeploymentStatus[];
}

export class DeploymentStore {
  readonly environments: StoredEnvironment[] = [];
  readonly deployments: StoredDeployment[] = [];
  #nextEnvironmentId = 301;
  #nextDeploymentId = 7001;
  readonly #nextIid = new Map<number, number>();

  environment(projectId: number, name: string): StoredEnvironment | undefined {
    return this.environments.find((e) => e.projectId === projectId && e.name === name);
  }

  environmentById(projectId: number, id: number): StoredEnvironment | undefined {
    return this.environments.find((e) => e.projectId === projectId && e.id === id);
  }

  createEnvironment(
    projectId: number,
    name: string,
    now: Date,
    opts: { externalUrl?: string | undefined; tier?: EnvironmentTier | undefined } = {},
  ): StoredEnvironment {
    const env: StoredEnvironment = {
      id: this.#nextEnvironmentId++,
      projectId,
      name,
      slug: slugOf(name),
      externalUrl: opts.externalUrl ?? null,
      tier: opts.tier ?? guessTier(name),
      state: 'available',
      createdAt: now,
      updatedAt: now,
    };
    this.environments.push(env);
    return env;
  }

  deployment(projectId: number, id: number): StoredDeployment | undefined {
    return this.deployments.find((d) => d.projectId === projectId && d.id === id);
  }

  createDeployment(
    env: StoredEnvironment,
    input: { ref: string; sha: string; tag: boolean; userId: number },
    now: Date,
  ): StoredDeployment {
    const iid = (this.#nextIid.get(env.projectId) ?? 0) + 1;
    this.#nextIid.set(env.projectId, iid);
    const deployment: StoredDeployment = {
      id: this.#nextDeploymentId++,
      iid,
      projectId: env.projectId,
      environmentId: env.id,
      ...input,
      status: 'created',
      createdAt: now,
      updatedAt: now,
      finishedAt: null,
      history: ['created'],
    };
    this.deployments.push(deployment);
    return deployment;
  }

  /** `Deployment#update_status`; false (nothing changed) when the event is not allowed. */
  updateStatus(
    deployment: StoredDeployment,
    requested: RequestedDeploymentStatus,
    now: Date,
  ): { ok: true } | { ok: false; event: string } {
    const result = deploymentTransition(deployment.status, requested);
    if (!result.ok) return result;
    deployment.status = result.status;
    deployment.updatedAt = now;
    deployment.history.push(result.status);
    // `before_transition any => [:success, :failed, :canceled]` sets finished_at.
    if (result.status !== 'running') deployment.finishedAt = now;
    return { ok: true };
  }

  forEnvironment(projectId: number, name: string): StoredDeployment[] {
    const env = this.environment(projectId, name);
    return env === undefined ? [] : this.deployments.filter((d) => d.environmentId === env.id);
  }
}

/** `Gitlab::Slug::Environment`: lower-case, non-alphanumerics to `-`, at most 24 characters. */
function slugOf(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 24)
    .replace(/-+$/, '');
  return /^[a-z]/.test(slug) ? slug : `env-${slug}`.slice(0, 24);
}
