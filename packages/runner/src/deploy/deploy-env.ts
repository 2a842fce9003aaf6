import { parseImageRef, type RegistryCredentials, type ResolvedPlan, RunnerEnv } from '@ferry/shared';
import { readPlan } from '../command/read-plan.js';

export interface DeployMetaInput {
  readonly pipelineId: string;
  readonly mergedBy?: string;
  readonly project?: string;
  readonly commit?: string;
}

/**
 * The job of `ferry-runner deploy`, read from the environment (RunnerEnv of the runner contract,
 * docs/release.md). FERRY_REGISTRY_PASSWORD and FERRY_KUBECONFIG are secrets: handed to the
 * cluster, never printed.
 */
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
  if (text === undefined || text.trim() === '') return `${RunnerEnv.deployMeta} is not set`;
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    if (typeof parsed.pipelineId !== 'string' || parsed.pipelineId === '')
      return `${RunnerEnv.deployMeta} has no pipelineId`;
    const meta: { pipelineId: string; mergedBy?: string; project?: string; commit?: string } = {
      pipelineId: parsed.pipelineId,
    };
    for (const key of ['mergedBy', 'project', 'commit'] as const) {
      const value = parsed[key];
      if (value === undefined || value === null) continue;
      if (typeof value !== 'string') return `${RunnerEnv.deployMeta}.${key} must be a string`;
      meta[key] = value;
    }
    return meta;
  } catch (err) {
    return `${RunnerEnv.deployMeta} is not JSON (${(err as Error).message})`;
  }
}

/** The whole job from the environment, or what is wrong with it. Pure. */
export function readDeployJob(env: Env): DeployJob | { problem: string } {
  const plan = readPlan(env[RunnerEnv.plan]);
  if (typeof plan === 'string') return { problem: plan };
  const image = env[RunnerEnv.image]?.trim() ?? '';
  if (image === '') return { problem: `${RunnerEnv.image} is not set` };
  if (parseImageRef(image) === undefined) return { problem: `${RunnerEnv.image} is not an image reference` };
  const meta = readMeta(env[RunnerEnv.deployMeta]);
  if (typeof meta === 'string') return { problem: meta };
  const host = env[RunnerEnv.registry]?.trim() ?? '';
  const username = env[RunnerEnv.registryUser] ?? '';
  const promote = env[RunnerEnv.canaryPromote] ?? 'auto';
  if (promote !== 'auto' && promote !== 'manual')
    return { problem: `${RunnerEnv.canaryPromote} must be auto or manual` };
  const kubeconfig = env[RunnerEnv.kubeconfig] ?? '';
  const context = env[RunnerEnv.kubeContext] ?? '';
  return {
    plan,
    image,
    registry:
      host === '' || username === ''
        ? null
        : { endpoint: host, username, password: env[RunnerEnv.registryPassword] ?? '' },
    kubeconfig: kubeconfig.trim() === '' ? null : kubeconfig,
    kubeContext: context === '' ? null : context,
    meta,
    canaryPromote: promote,
  };
}
