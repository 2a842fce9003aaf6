/**
 * The namespace's Pod Security policy from its labels, and evaluating a pod spec against a level.
 * Ported from k8s.io/pod-security-admission: api/helpers.go (PolicyToEvaluate, ParseLevel,
 * ParseVersion), policy/registry.go (baseline checks first, then restricted, each sorted by id;
 * restricted replaces the baseline checks it overrides), policy/checks.go (ForbiddenDetail).
 */
import type { V1ObjectMeta, V1PodSpec } from '@kubernetes/client-node';
import { baselineChecks } from './baseline.js';
import type { Check } from './helpers.js';
import { restrictedChecks } from './restricted.js';

export type Level = 'privileged' | 'baseline' | 'restricted';

export interface LevelVersion {
  level: Level;
  /** `latest` or `v1.x`; the double evaluates every version with its own (v1.31) rules. */
  version: string;
}

export interface Policy {
  enforce: LevelVersion;
  warn: LevelVersion;
}

export const LABEL_PREFIX = 'pod-security.kubernetes.io/';
const levels: Level[] = ['privileged', 'baseline', 'restricted'];
const strictness = (l: Level) => levels.indexOf(l);

/** ParseLevel: an unknown level is an error that evaluates as restricted (fail closed). */
function parseLevel(value: string): { level: Level; ok: boolean } {
  return levels.includes(value as Level)
    ? { level: value as Level, ok: true }
    : { level: 'restricted', ok: false };
}

function parseVersion(value: string | undefined): string {
  if (value === undefined || value === 'latest') return 'latest';
  return /^v1\.([0-9]|[1-9][0-9]*)$/.test(value) ? value : 'latest';
}

/** PolicyToEvaluate with the default policy (privileged:latest everywhere, as without an AdmissionConfiguration). */
export function policyOf(labels: Readonly<Record<string, string>> | undefined): Policy {
  const l = labels ?? {};
  const policy: Policy = {
    enforce: { level: 'privileged', version: 'latest' },
    warn: { level: 'privileged', version: 'latest' },
  };
  let hasEnforce = false;
  const enforce = l[`${LABEL_PREFIX}enforce`];
  if (enforce !== undefined) {
    const p = parseLevel(enforce);
    policy.enforce.level = p.level;
    hasEnforce = p.ok;
  }
  policy.enforce.version = parseVersion(l[`${LABEL_PREFIX}enforce-version`]);
  const warn = l[`${LABEL_PREFIX}warn`];
  if (warn !== undefined) {
    const p = parseLevel(warn);
    policy.warn.level = p.ok ? p.level : 'privileged'; // fail open for warn
  }
  policy.warn.version = parseVersion(l[`${LABEL_PREFIX}warn-version`]);
  // Warn defaults to the enforce level when that is set explicitly and stricter.
  if (warn === undefined && hasEnforce && strictness(policy.enforce.level) > strictness(policy.warn.level)) {
    policy.warn = { ...policy.enforce };
    if (l[`${LABEL_PREFIX}warn-version`] === undefined) policy.warn.version = policy.enforce.version;
  }
  return policy;
}

const byId = (a: Check, b: Check) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const orderedBaseline = [...baselineChecks].sort(byId);
const overridden = new Set(restrictedChecks.flatMap((c) => c.overrides ?? []));
const orderedRestricted = [
  ...orderedBaseline.filter((c) => !overridden.has(c.id)),
  ...[...restrictedChecks].sort(byId),
];

/** AggregateCheckResults(...).ForbiddenDetail(): `reason (detail), reason (detail)`; '' when allowed. */
export function violations(level: Level, meta: V1ObjectMeta, spec: V1PodSpec): string {
  if (level === 'privileged') return '';
  const checks = level === 'baseline' ? orderedBaseline : orderedRestricted;
  return checks
    .map((c) => c.check(meta, spec))
    .filter((r) => !r.allowed)
    .map(
      (r) =>
        `${r.forbiddenReason || 'unknown forbidden reason'}${r.forbiddenDetail ? ` (${r.forbiddenDetail})` : ''}`,
    )
    .join(', ');
}

export const levelVersionString = (lv: LevelVersion) => `${lv.level}:${lv.version}`;
