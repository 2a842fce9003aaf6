import type { PathSegment } from '../placeholders.js';
import type { FerrySpec, TestJobSpec } from '../schema.js';

/** Calls `visit` for every string in `value` (map keys are not visited), depth first. */
export function walkStrings(
  value: unknown,
  visit: (text: string, path: readonly PathSegment[]) => void,
  path: readonly PathSegment[] = [],
): void {
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) {
    value.forEach((item, i) => {
      walkStrings(item, visit, [...path, i]);
    });
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) walkStrings(item, visit, [...path, key]);
  }
}

/** `service`: a test service's variables, which configure a throwaway container (POSTGRES_PASSWORD). */
type EnvMap = {
  map: Record<string, unknown>;
  path: PathSegment[];
  kind: 'env' | 'build-arg';
  service?: true;
};

/** A test job's (or the test stage's) variables and its services' variables. */
function testJobEnvMaps(job: TestJobSpec | null | undefined, path: PathSegment[]): EnvMap[] {
  const out: EnvMap[] = [];
  if (job?.env) out.push({ map: job.env, path: [...path, 'env'], kind: 'env' });
  (job?.services ?? []).forEach((service, i) => {
    if (service.env)
      out.push({ map: service.env, path: [...path, 'services', i, 'env'], kind: 'env', service: true });
  });
  return out;
}

/** Every test job's (and the stage's) script and service commands, with their paths. */
export function testCommandLists(spec: FerrySpec): { list: readonly string[]; path: PathSegment[] }[] {
  const test = spec.stages?.test;
  if (!test) return [];
  const jobs: [TestJobSpec, PathSegment[]][] = [[test, ['stages', 'test']]];
  for (const [name, job] of Object.entries(test.jobs ?? {}))
    if (job) jobs.push([job, ['stages', 'test', 'jobs', name]]);
  return jobs.flatMap(([job, path]) => [
    ...(job.script ? [{ list: job.script, path: [...path, 'script'] }] : []),
    ...(job.services ?? []).flatMap((service, i) =>
      service.command ? [{ list: service.command, path: [...path, 'services', i, 'command'] }] : [],
    ),
  ]);
}

/** The env-like maps of a spec, with their paths: stage and job env, services' env, environment env, build args. */
export function envMaps(spec: FerrySpec): EnvMap[] {
  const out: EnvMap[] = [];
  const test = spec.stages?.test;
  out.push(...testJobEnvMaps(test, ['stages', 'test']));
  for (const [name, job] of Object.entries(test?.jobs ?? {})) {
    out.push(...testJobEnvMaps(job, ['stages', 'test', 'jobs', name]));
  }
  const deploy = spec.stages?.deploy?.env;
  if (deploy) out.push({ map: deploy, path: ['stages', 'deploy', 'env'], kind: 'env' });
  const args = spec.stages?.build?.args;
  if (args) out.push({ map: args, path: ['stages', 'build', 'args'], kind: 'build-arg' });
  for (const [name, environment] of Object.entries(spec.environments ?? {})) {
    if (environment?.env)
      out.push({ map: environment.env, path: ['environments', name, 'env'], kind: 'env' });
  }
  return out;
}
