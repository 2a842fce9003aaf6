import type { Pipeline } from '../../api/types';

/**
 * Whether a pipeline's deploy may have a canary to promote or abort now: the deploy runs and its
 * objects (rendered when it started) hold a canary Deployment `<service>-canary` beside
 * `<service>`. The server checks again (409 when no canary step runs). Pure.
 */
export function canaryRunning(p: Pipeline): boolean {
  const deploy = p.stages.find((s) => s.name === 'deploy');
  if (p.status !== 'running' || deploy?.status !== 'running') return false;
  const names = new Set((p.manifests ?? []).filter((m) => m.kind === 'Deployment').map((m) => m.name));
  return [...names].some((name) => names.has(`${name}-canary`));
}
