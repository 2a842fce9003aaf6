import { type ResolvedPlan, RunnerEnv } from '@ferry/shared';

/** A ResolvedPlan from FERRY_PLAN (build and deploy), checked for the fields the runner reads. */
export function readPlan(text: string | undefined): ResolvedPlan | string {
  if (text === undefined || text.trim() === '') return `${RunnerEnv.plan} is not set`;
  let plan: unknown;
  try {
    plan = JSON.parse(text);
  } catch (err) {
    return `${RunnerEnv.plan} is not JSON (${(err as Error).message})`;
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
  if (missing.length > 0) return `${RunnerEnv.plan} is not a resolved plan (missing: ${missing.join(', ')})`;
  return plan as ResolvedPlan;
}
