import { parseImageRef, type RegistryCredentials, type ResolvedPlan } from '@ferry/shared';
import { readPlan } from '../build/build-env.js';

/**
 * The environment a deploy job arrives in (docs/release.md). FERRY_REGISTRY_PASSWORD and
 * FERRY_KUBECONFIG are secrets: handed to the cluster, never printed.
 */
export const DeployEnv = {
  plan: 'FERRY_PLAN',
  image: 'FERRY_IMAGE',
  registry: 'FERRY_REGISTRY',
  registryUser: 'FERRY_REGISTRY_USER',
  registryPassword: 'FERRY_REGISTRY_PASSWORD',
  /** The kubeconfig's content (not a path); unset: the pod's in-cluster service account. */
  kubeconfig: 'FERRY_KUBECONFIG',
  /** A context of that kubeconfig (default: its current context). */
  kubeContext: 'FERRY_KUBE_CONTEXT',
  /** JSON `{ pipelineId, mergedBy?, project?, commit? }`. */
  meta: 'FERRY_DEPLOY_META',
  /** `auto` (default): each canary step is promoted after its pause; `manual`: only by decision. */
  canaryPromote: 'FERRY_CANARY_PROMOTE',
} as const;

export interface DeployMetaInput {
  readonly pipelineId: string;
  readonly mergedBy?: string;
  readonly project?: string;
  readonly commit?: string;
}

export interface DeployJob {
  readonly plan: ResolvedPlan;
  /** By digest (`repo@sha256:…`) or immutable tag. */
  readonly image: string;
  /** null: the cluster pulls without a pull secret. */
  readonly registry: RegistryCredentials | null;
  /** null: in-cluster configuration. */
  readonly kubeconfig: string | null;
  readonly kubeContext: string | null;
  readonly meta: DeployMetaInput;
  readonly canaryPromote: 'auto' | 'manual';
}

type Env = Readonly<Record<string, string | undefined>>;

function readMeta(text: string | undefined): DeployMetaInput | string {
  if (text === undefined || text.trim() === '') return `${DeployEnv.meta} is not set`;
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    if (typeof parsed.pipelineId !== 'string' || parsed.pipelineId === '')
      return `${DeployEnv.meta} has no pipelineId`;
    const meta: { pipelineId: string; mergedBy?: string; project?: string; commit?: string } = {
      pipelineId: parsed.pipelineId,
    };
    for (const key of ['mergedBy', 'project', 'commit'] as const) {
      const value = parsed[key];
      if (value === undefined || value === null) continue;
      if (typeof value !== 'string') return `${DeployEnv.meta}.${key} must be a string`;
      meta[key] = value;
    }
    return meta;
  } catch (err) {
    return `${DeployEnv.meta} is not JSON (${(err as Error).message})`;
  }
}

/** The whole job from the environment, or what is wrong with it. Pure. */
export function readDeployJob(env: Env): DeployJob | { problem: string } {
  const plan = readPlan(env[DeployEnv.plan]);
  if (typeof plan === 'string') return { problem: plan };
  const image = env[DeployEnv.image]?.trim() ?? '';
  if (image === '') return { problem: `${DeployEnv.image} is not set` };
  if (parseImageRef(image) === undefined) return { problem: `${DeployEnv.image} is not an image reference` };
  const meta = readMeta(env[DeployEnv.meta]);
  if (typeof meta === 'string') return { problem: meta };
  const host = env[DeployEnv.registry]?.trim() ?? '';
  const username = env[DeployEnv.registryUser] ?? '';
  const promote = env[DeployEnv.canaryPromote] ?? 'auto';
  if (promote !== 'auto' && promote !== 'manual')
    return { problem: `${DeployEnv.canaryPromote} must be auto or manual` };
  const kubeconfig = env[DeployEnv.kubeconfig] ?? '';
  const context = env[DeployEnv.kubeContext] ?? '';
  return {
    plan,
    image,
    registry:
      host === '' || username === ''
        ? null
        : { endpoint: host, username, password: env[DeployEnv.registryPassword] ?? '' },
    kubeconfig: kubeconfig.trim() === '' ? null : kubeconfig,
    kubeContext: context === '' ? null : context,
    meta,
    canaryPromote: promote,
  };
}
