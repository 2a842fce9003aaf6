import { GROUP_NAME_MAX, SERVICE_NAME_MAX } from '../names.js';
import { findPlaceholders } from '../placeholders.js';
import type { Finding } from '../problems.js';
import { resolvePlan } from '../resolve.js';
import type { FerrySpec } from '../schema.js';

/** A sha of the usual length; only its length matters to the checks. */
const LINT_SHA = 'f'.repeat(40);

function valueAt(spec: unknown, path: readonly (string | number)[]): unknown {
  let current = spec;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[String(segment)];
  }
  return current;
}

/**
 * Resolves every environment before any run, so what placeholders produce (namespaces, hosts,
 * Secret names) is checked at lint time. Names the file does not set are taken at their
 * longest allowed length: a spec that passes works for every service and group name.
 */
export function checkDryRun(spec: FerrySpec): Finding[] {
  const service = spec.service ?? 's'.repeat(SERVICE_NAME_MAX);
  const group = spec.group ?? 'g'.repeat(GROUP_NAME_MAX);
  const assumed = [
    ...(spec.service ? [] : [`{service} at its longest (${SERVICE_NAME_MAX} characters)`]),
    ...(spec.group ? [] : [`{group} at its longest (${GROUP_NAME_MAX} characters)`]),
  ];
  const findings: Finding[] = [];
  for (const [env, environment] of Object.entries(spec.environments ?? {})) {
    if (!environment) continue;
    const { findings: found } = resolvePlan(spec, {
      env,
      sha: LINT_SHA,
      project: `${group}/${service}`,
      service,
      group,
    });
    for (const finding of found) {
      if (finding.code === 'invalid-name' && (finding.path[0] === 'service' || finding.path[0] === 'group'))
        continue;
      const source = valueAt(spec, finding.path);
      const usesAssumed =
        typeof source === 'string' &&
        findPlaceholders(source).some((n) => n === 'service' || n === 'group' || n === 'project');
      findings.push(
        usesAssumed && assumed.length > 0
          ? {
              ...finding,
              message: `${finding.message} (in environment ${env}, with ${assumed.join(' and ')})`,
              hint: `${finding.hint ?? ''}${finding.hint ? '; ' : ''}set service: and group: to check with the real names`,
            }
          : finding,
      );
    }
  }
  return findings;
}
