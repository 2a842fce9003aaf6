import { type ResolvedPlan, RunnerEnv } from '@ferry/shared';
import { readPlan } from '../command/read-plan.js';

export const BUILDERS = ['engine', 'buildah'] as const;
export type Builder = (typeof BUILDERS)[number];

export interface RegistryAccess {
  /** host[:port] */
  readonly host: string;
  readonly username: string;
  /** Empty when the registry takes anonymous pushes. */
  readonly password: string;
  /** `http` for an insecure registry, else `https`. */
  readonly scheme: 'http' | 'https';
}

/**
 * The job of `ferry-runner build`, read from the environment (RunnerEnv of the runner contract,
 * docs/release.md). The password is a secret: the runner only hands it to the engine and the
 * registry, never prints it.
 */
export interface BuildJob {
  readonly plan: ResolvedPlan;
  readonly registry: RegistryAccess;
  /** null: no allowlist configured, every base image is allowed. */
  readonly allowedBaseImages: readonly string[] | null;
  readonly pipelineId: string;
  /** The repository's URL for the source label, without credentials; empty when unknown. */
  readonly sourceUrl: string;
  readonly builder: Builder;
  /** buildah's storage driver. */
  readonly storageDriver: string;
  /** The registry auth file (REGISTRY_AUTH_FILE); null: the credential is in the environment. */
  readonly authFile: string | null;
  /** buildah's layer storage kept between builds (FERRY_BUILD_CACHE_*); null: the pod's empty storage. */
  readonly storageCache: StorageCache | null;
}

/** A directory of slots, each a buildah storage that one build at a time locks (storage-slots.ts). */
export interface StorageCache {
  readonly dir: string;
  readonly slots: number;
  readonly maxBytes: number;
}

type Env = Readonly<Record<string, string | undefined>>;

function isLoopback(host: string): boolean {
  const name = host.replace(/:\d+$/, '');
  return name === 'localhost' || name === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

/** The registry from FERRY_REGISTRY*. */
export function readRegistry(env: Env): RegistryAccess | string {
  const host = env[RunnerEnv.registry]?.trim() ?? '';
  if (host === '') return `${RunnerEnv.registry} is not set`;
  if (!/^[A-Za-z0-9.-]+(:\d+)?$|^\[[0-9a-fA-F:]+\](:\d+)?$/.test(host))
    return `${RunnerEnv.registry} must be host[:port], without a scheme or path`;
  const insecure = env[RunnerEnv.registryInsecure];
  return {
    host,
    username: env[RunnerEnv.registryUser] ?? '',
    password: env[RunnerEnv.registryPassword] ?? '',
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
  return `${RunnerEnv.allowedBaseImages} must be a JSON array of image patterns, e.g. ["registry.vpc:5000/base/*"]`;
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
  const plan = readPlan(env[RunnerEnv.plan]);
  if (typeof plan === 'string') return { problem: plan };
  const registry = readRegistry(env);
  if (typeof registry === 'string') return { problem: registry };
  const allowed = readAllowlist(env[RunnerEnv.allowedBaseImages]);
  if (typeof allowed === 'string') return { problem: allowed };
  const pipelineId = env[RunnerEnv.pipelineId] ?? '';
  if (pipelineId === '') return { problem: `${RunnerEnv.pipelineId} is not set` };
  const builder = env[RunnerEnv.builder] || 'engine';
  if (!BUILDERS.some((b) => b === builder))
    return { problem: `${RunnerEnv.builder} must be one of ${BUILDERS.join(', ')}` };
  const storageDriver = env[RunnerEnv.buildStorageDriver] || 'overlay';
  if (storageDriver !== 'overlay' && storageDriver !== 'vfs')
    return { problem: `${RunnerEnv.buildStorageDriver} must be overlay or vfs` };
  const storageCache = readStorageCache(env);
  if (typeof storageCache === 'string') return { problem: storageCache };
  return {
    builder: builder as Builder,
    storageDriver,
    storageCache,
    authFile: env[RunnerEnv.registryAuthFile] || null,
    plan,
    registry,
    allowedBaseImages: allowed,
    pipelineId,
    sourceUrl: withoutCredentials(env[RunnerEnv.sourceUrl] ?? ''),
  };
}

/** FERRY_BUILD_CACHE_DIR, _SLOTS, _MAX_BYTES; null when no directory is given. Pure. */
export function readStorageCache(env: Env): StorageCache | null | string {
  const dir = env[RunnerEnv.buildCacheDir] ?? '';
  if (dir === '') return null;
  if (!dir.startsWith('/')) return `${RunnerEnv.buildCacheDir} must be an absolute path`;
  const slots = Number(env[RunnerEnv.buildCacheSlots] ?? '1');
  if (!Number.isInteger(slots) || slots < 1 || slots > 16)
    return `${RunnerEnv.buildCacheSlots} must be a whole number from 1 to 16`;
  const maxBytes = Number(env[RunnerEnv.buildCacheMaxBytes] ?? '');
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0)
    return `${RunnerEnv.buildCacheMaxBytes} must be a positive number of bytes`;
  return { dir, slots, maxBytes };
}
