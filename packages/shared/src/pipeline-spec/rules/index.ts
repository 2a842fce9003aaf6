import { dedupeFindings, type Finding } from '../problems.js';
import type { FerrySpec } from '../schema.js';
import { checkDryRun } from './dry-run.js';
import { checkEnvNames } from './env-names.js';
import { checkEnvironments } from './environments.js';
import { checkInlineSecrets } from './inline-secrets.js';
import { checkPlaceholders } from './placeholders.js';
import { checkTestJobs } from './test-jobs.js';

/**
 * The rules a complete spec (the template, or the template with a project's file merged in)
 * must pass beyond its shape. Pure; each rule is a function of the spec.
 */
export function checkRules(spec: FerrySpec): Finding[] {
  const placeholderFindings = checkPlaceholders(spec);
  const findings = [
    ...checkEnvironments(spec),
    ...checkEnvNames(spec),
    ...checkInlineSecrets(spec),
    ...checkTestJobs(spec),
    ...placeholderFindings,
  ];
  // Resolving with unknown placeholders would only repeat them.
  if (!placeholderFindings.some((f) => f.code === 'unknown-placeholder')) findings.push(...checkDryRun(spec));
  return dedupeFindings(findings);
}
