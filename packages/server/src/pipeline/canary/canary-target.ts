import { canaryName, type ManifestRecord, type PipelineRecord } from '@ferry/shared';

export type CanaryVerdict = 'promote' | 'abort';

/** The canary Deployment of a pipeline's deploy, or why there is none to decide on now. */
export type CanaryTarget =
  | { readonly ok: true; readonly namespace: string; readonly name: string }
  | { readonly ok: false; readonly reason: string };

/**
 * Where a promote or abort goes: the canary Deployment among the objects the deploy stage applies
 * (rendered into the record when it starts), while that stage runs. Pure.
 */
export function canaryTarget(pipeline: PipelineRecord): CanaryTarget {
  const deploy = pipeline.stages.find((s) => s.name === 'deploy');
  if (pipeline.status !== 'running' || deploy?.status !== 'running')
    return {
      ok: false,
      reason: `its deploy is not running (pipeline ${pipeline.status}, deploy ${deploy?.status ?? 'absent'})`,
    };
  const deployments = (pipeline.manifests ?? []).filter((m: ManifestRecord) => m.kind === 'Deployment');
  const canary = deployments.find((m) => deployments.some((main) => canaryName(main.name) === m.name));
  if (canary === undefined)
    return { ok: false, reason: 'this deploy has no canary (no canary steps, or a first deploy)' };
  if (canary.namespace === undefined) return { ok: false, reason: 'the canary Deployment has no namespace' };
  return { ok: true, namespace: canary.namespace, name: canary.name };
}
