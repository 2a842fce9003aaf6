import { mergeValues } from '../merge.js';
import { nameProblemCode, testJobNameProblem } from '../names.js';
import type { Finding } from '../problems.js';
import type { FerrySpec, TestJobSpec } from '../schema.js';

/**
 * Test jobs: names are DNS labels (runner names, the GitLab status `ferry/test:<job>`); within
 * a job (its own services or the stage's it inherits), service names and ready ports are unique,
 * as the services share one network namespace. Duplicate job names are duplicate YAML keys,
 * which the parser refuses.
 */
export function checkTestJobs(spec: FerrySpec): Finding[] {
  const test = spec.stages?.test;
  if (!test) return [];
  const findings: Finding[] = [];
  const { jobs, failFast: _f, enabled: _e, ...defaults } = test;
  if (jobs === null || jobs === undefined) {
    findings.push(...checkServices(defaults, ['stages', 'test']));
    return findings;
  }
  for (const [name, job] of Object.entries(jobs)) {
    const path = ['stages', 'test', 'jobs', name];
    const why = testJobNameProblem(name);
    if (why !== undefined) {
      findings.push({
        path,
        code: nameProblemCode(why),
        message: `the job name "${name}" is not allowed: ${why}`,
        hint: 'lowercase letters, digits and "-", e.g. unit or lint',
        atKey: true,
      });
    }
    if (!job) continue;
    const merged = mergeValues(defaults, job) as TestJobSpec;
    const from = job.services ? path : ['stages', 'test'];
    findings.push(...checkServices(merged, from));
  }
  return findings;
}

function checkServices(job: TestJobSpec, jobPath: readonly (string | number)[]): Finding[] {
  const findings: Finding[] = [];
  const names = new Map<string, number>();
  const ports = new Map<number, string>();
  (job.services ?? []).forEach((service, i) => {
    const path = [...jobPath, 'services', i];
    const first = names.get(service.name);
    if (first !== undefined) {
      findings.push({
        path: [...path, 'name'],
        code: 'duplicate-name',
        message: `the service name "${service.name}" is used twice in this job (also services[${first}])`,
        hint: 'give each service of a job its own name',
      });
    } else names.set(service.name, i);
    const port = service.ready?.tcp;
    if (port === undefined) return;
    const holder = ports.get(port);
    if (holder !== undefined) {
      findings.push({
        path: [...path, 'ready', 'tcp'],
        code: 'port-clash',
        message: `services ${holder} and ${service.name} both use port ${port}; they share the job's network`,
        hint: 'give one of them another port (its command or env usually sets it)',
      });
    } else ports.set(port, service.name);
  });
  return findings;
}
