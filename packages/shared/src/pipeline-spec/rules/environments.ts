import { ENVIRONMENT_NAME_MAX, environmentNameProblem, nameProblemCode } from '../names.js';
import type { Finding } from '../problems.js';
import type { FerrySpec } from '../schema.js';

/** Environment names are DNS labels; each branch deploys to one environment; there is one at least. */
export function checkEnvironments(spec: FerrySpec): Finding[] {
  const findings: Finding[] = [];
  const environments = Object.entries(spec.environments ?? {});
  if (environments.length === 0) {
    findings.push({
      path: ['environments'],
      code: 'required',
      message: 'at least one environment is required',
      hint: 'e.g. environments: { prod: { branch: master, namespace: "{group}-prod" } }',
    });
  }
  const byBranch = new Map<string, string[]>();
  for (const [name, environment] of environments) {
    const why = environmentNameProblem(name);
    if (why) {
      findings.push({
        path: ['environments', name],
        code: nameProblemCode(why),
        message: `the environment name "${name}" is not allowed: ${why}`,
        hint: `lowercase letters, digits and "-", at most ${ENVIRONMENT_NAME_MAX} characters`,
        atKey: true,
      });
    }
    const branch = environment?.branch;
    if (branch !== undefined && branch !== null)
      byBranch.set(branch, [...(byBranch.get(branch) ?? []), name]);
  }
  // Every environment sharing a branch is reported, so the line the user wrote is among them.
  for (const [branch, names] of byBranch) {
    if (names.length < 2) continue;
    for (const name of names) {
      findings.push({
        path: ['environments', name, 'branch'],
        code: 'duplicate-branch',
        message: `the branch "${branch}" deploys to more than one environment: ${names.join(', ')}`,
        hint: 'each environment needs its own branch',
      });
    }
  }
  return findings;
}
