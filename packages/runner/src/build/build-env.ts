import type { ResolvedPlan } from '@ferry/shared';

/**
 * The environment a build job arrives in (docs/release.md). The password is a secret: the runner
 * only hands it to the engine and the registry, never prints it.
 */
export const BuildEnv = {
  plan: 'FERRY_PLAN',
  registry: 'FERRY_REGISTRY',
  registryUser: 'FERRY_REGISTRY_USER',
  registryPassword: 'FERRY_REGISTRY_PASSWORD',
  /** `true`: talk to the registry over plain HTTP (default: only for loopback registries). */
  registryInsecure: 'FERRY_REGISTRY_INSECURE',
  allowedBaseImages: 'FERRY_ALLOWED_BASE_IMAGES',
  pipelineId: 'FERRY_PIPELINE_ID',
  sourceUrl: 'FERRY_SOURCE_URL',
  workspace: 'FERRY_WORKSPACE',
} as const;

export interface RegistryAccess {
  /** host[:port] */
  readonly host: string;
  readonly username: string;
  /** Empty when the registry takes anonymous pushes. */
  readonly password: string;
  /** `http` for an insecure registry, else `https`. */
  readonly scheme: 'http' | 'https';
}

export interface BuildJob {
  readonly plan: ResolvedPlan;
  readonly registry: RegistryAccess;
  /** null: no allowlist configured, every base image is allowed. */
  readonly allowedBaseImages: readonly string[] | null;
  readonly pipelineId: string;
  /** The repository's URL for the source label, without credentials; empty when unknown. */
  readonly sourceUrl: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** A ResolvedPlan from FERRY_PLAN, checked for the fields the runner reads. */
export function readPlan(text: string | undefined): ResolvedPlan | string {
  if (text === undefined || text.trim() === '') return `${BuildEnv.plan} is not set`;
  let plan: unknown;
  try {
    plan = JSON.parse(text);
  } catch (err) {
    return `${BuildEnv.plan} is not JSON (${(err as Error).message})`;
  }
  const p = plan as Partial<ResolvedPlan> | null;
  const missing = [
    typeof p?.environment === 'string' ? undefined : 'environment',
    typeof p?.namespace === 'string' ? undefined : 'namespace',
    typeof p?.service === 'string' ? undefined : 'service',
    typeof p?.sha === 'string' ? undefined : 'sha',
    typeof p?.image?.repository === 'string' && typeof p.image.tag === 'string' ? undefined : 'image',
    typeof p?.build?.dockerfile === 'string' && typeof p.build.context === 'string' ? undefined : 'build',
    typeof p?.deploy?.port === 'number' ? undefined : 'deploy',
    typeof p?.names?.deployment === 'string' ? undefined : 'names',
  ].filter((x) => x !== undefined);
  if (missing.length > 0) return `${BuildEnv.plan} is not a resolved plan (missing: ${missing.join(', ')})`;
  return plan as ResolvedPlan;
}

function isLoopback(host: string): boolean {
  const name = host.replace(/:\d+$/, '');
  return name === 'localhost' || name === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

/** The registry from FERRY_REGISTRY*. */
export function readRegistry(env: Env): RegistryAccess | string {
  const host = env[BuildEnv.registry]?.trim() ?? '';
  if (host === '') return `${BuildEnv.registry} is not set`;
  if (!/^[A-Za-z0-9.-]+(:\d+)?$|^\[[0-9a-fA-F:]+\](:\d+)?$/.test(host))
    return `${BuildEnv.registry} must be host[:port], without a scheme or path`;
  const insecure = env[BuildEnv.registryInsecure];
  return {
    host,
    username: env[BuildEnv.registryUser] ?? '',
    password: env[BuildEnv.registryPassword] ?? '',
    scheme: insecure === 'true' || (insecure !== 'false' && isLoopback(host)) ? 'http' : 'https',
  };
}

/** The allowlist from FERRY_ALLOWED_BASE_IMAGES (a JSON array of patterns); null when unset. */
export function readAllowlist(text: string | undefined): readonly string[] | null | string {
  if (text === undefined || text.trim() === '') return null;
  try {
    const parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed) && parsed.every((p) => typeof p === 'string' && p !== '')) return parsed;
  } catch {
    // Reported below.
  }
  return `${BuildEnv.allowedBaseImages} must be a JSON array of image patterns, e.g. ["registry.vpc:5000/base/*"]`;
}

/** A URL without user info (a source URL must never carry a token into an image label). */
export function withoutCredentials(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//');
  }
}

/** The whole job from the environment, or what is wrong with it. Pure. */
export function readBuildJob(env: Env): BuildJob | { problem: string } {
  const plan = readPlan(env[BuildEnv.plan]);
  if (typeof plan === 'string') return { problem: plan };
  const registry = readRegistry(env);
  if (typeof registry === 'string') return { problem: registry };
  const allowed = readAllowlist(env[BuildEnv.allowedBaseImages]);
  if (typeof allowed === 'string') return { problem: allowed };
  const pipelineId = env[BuildEnv.pipelineId] ?? '';
  if (pipelineId === '') return { problem: `${BuildEnv.pipelineId} is not set` };
  return {
    plan,
    registry,
    allowedBaseImages: allowed,
    pipelineId,
    sourceUrl: withoutCredentials(env[BuildEnv.sourceUrl] ?? ''),
  };
}
