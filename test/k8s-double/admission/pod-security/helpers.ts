/**
 * What every Pod Security check shares: the result shape, the container visitor and the message
 * helpers, ported from k8s.io/pod-security-admission/policy (checks.go, helpers.go, visitor.go;
 * read at kubernetes/pod-security-admission 8f84a87, the rules as of v1.31, the double's version).
 */
import type { V1Container, V1ObjectMeta, V1PodSpec } from '@kubernetes/client-node';

export interface CheckResult {
  allowed: boolean;
  forbiddenReason?: string;
  forbiddenDetail?: string;
}

export type CheckPod = (meta: V1ObjectMeta, spec: V1PodSpec) => CheckResult;

export interface Check {
  id: string;
  level: 'baseline' | 'restricted';
  /** Baseline checks a restricted check replaces (`OverrideCheckIDs`). */
  overrides?: string[];
  check: CheckPod;
}

export const allowed: CheckResult = { allowed: true };

export const deny = (forbiddenReason: string, forbiddenDetail = ''): CheckResult => ({
  allowed: false,
  forbiddenReason,
  forbiddenDetail,
});

/** `visitContainers`: init containers, then containers, then ephemeral containers. */
export function containersOf(spec: V1PodSpec): V1Container[] {
  return [
    ...(spec.initContainers ?? []),
    ...(spec.containers ?? []),
    ...((spec.ephemeralContainers ?? []) as V1Container[]),
  ];
}

export function joinQuote(items: readonly string[]): string {
  return items.length === 0 ? '' : `"${items.join('", "')}"`;
}

export const pluralize = (singular: string, plural: string, count: number) =>
  count === 1 ? singular : plural;

/** `container "a"` / `containers "a", "b"`. */
export const containersPhrase = (names: readonly string[]) =>
  `${pluralize('container', 'containers', names.length)} ${joinQuote(names)}`;

/** A sorted, de-duplicated list (Go's `sets.NewString(...).List()`). */
export const sortedSet = (items: Iterable<string>) => [...new Set(items)].sort();

/** Go's `%q` for the plain strings these messages quote. */
export const goQuote = (s: string) => JSON.stringify(s);

export const isWindows = (spec: V1PodSpec) => spec.os?.name === 'windows';
