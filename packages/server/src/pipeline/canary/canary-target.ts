import { CANARY_SUFFIX, canaryName, type ManifestRecord, type PipelineRecord } from '@ferry/shared';

export type CanaryVerdict = 'promote' | 'abort';

/** The canary Deployment of a pipeline's deploy, or why there is none to decide on now. */
export type CanaryTarget =
  | { readonly ok: true; readonly namespace: string; readonly name: string }
  | { readonly ok: false; readonly reason: string };

/**
 * Where a promote or abort goes while the deploy stage runs: the canary Deployment named after the
 * main Deployment the record holds (rendered when the stage starts). Whether it exists (a canary
 * step runs) is the cluster's answer. Pure.
 */
export function canaryTarget(pipeline: PipelineRecord): CanaryTarget {
  const deploy = pipeline.stages.find((s) => s.name === 'deploy');
  if (pipeline.status !== 'running' || deploy?.status !== 'running')
    return {
      ok: false,
      reason: `its deploy is not running (pipeline ${pipeline.status}, deploy ${deploy?.status ?? 'absent'})`,
    };
  // The recorded objects are what the deploy applies first: the main Deployment. The canary
  // Deployment the runner applies per step is named after it (<service>-canary).
  const main = (pipeline.manifests ?? []).find(
    (m: ManifestRecord) => m.kind === 'Deployment' && !m.name.endsWith(CANARY_SUFFIX),
  );
  if (main === undefined) return { ok: false, reason: 'its deploy records no Deployment' };
  if (main.namespace === undefined) return { ok: false, reason: 'its Deployment has no namespace' };
  const canary = { name: canaryName(main.name), namespace: main.namespace };
  return { ok: true, namespace: canary.namespace, name: canary.name };
}
