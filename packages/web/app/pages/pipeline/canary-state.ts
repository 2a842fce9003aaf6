import type { Pipeline } from '../../api/types';

/**
 * Whether a pipeline's deploy may have a canary to promote or abort now: its deploy runs and has
 * a Deployment. The record does not say whether a canary step runs; the server answers 409
 * FERRY_ERR_PIPELINE_NO_CANARY_STEP when none does, and the page shows that message. Pure.
 */
export function canaryRunning(p: Pipeline): boolean {
  const deploy = p.stages.find((s) => s.name === 'deploy');
  if (p.status !== 'running' || deploy?.status !== 'running') return false;
  return (p.manifests ?? []).some((m) => m.kind === 'Deployment');
}
