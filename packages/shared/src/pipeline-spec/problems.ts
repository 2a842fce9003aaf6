import { locate, type SpecLocator } from './locator.js';
import type { PathSegment } from './placeholders.js';

/** Stable codes of spec problems; `docs/spec.md` lists each with an example. */
export type SpecProblemCode =
  | 'file-too-large'
  | 'yaml-syntax'
  | 'multiple-documents'
  | 'alias-limit'
  | 'document-too-large'
  | 'duplicate-key'
  | 'not-a-map'
  | 'unknown-key'
  | 'required'
  | 'invalid-type'
  | 'invalid-value'
  | 'out-of-range'
  | 'invalid-name'
  | 'name-too-long'
  | 'invalid-namespace'
  | 'invalid-host'
  | 'invalid-path'
  | 'invalid-branch'
  | 'duplicate-branch'
  | 'invalid-image'
  | 'unpinned-image'
  | 'invalid-duration'
  | 'invalid-quantity'
  | 'invalid-env-name'
  | 'reserved-env-name'
  | 'inline-secret'
  | 'unknown-placeholder'
  | 'placeholder-not-allowed'
  | 'storage-not-declared'
  | 'shared-storage'
  | 'relaxed-pod-security'
  | 'invalid-canary'
  | 'invalid-probe'
  | 'invalid-env-source'
  | 'limit-below-request'
  | 'unknown-environment'
  | 'duplicate-name'
  | 'port-clash';

export type SpecSeverity = 'error' | 'warning';

/** One thing wrong (or worth a warning) in a pipeline file, located for the user. */
export interface SpecProblem {
  /** The file as the caller named it. */
  readonly file: string;
  /** 1-based; 0 when the position is unknown (a problem found after resolution, without a locator). */
  readonly line: number;
  readonly column: number;
  /** Key path, e.g. `environments.prod.namespace` or `stages.test.script[0]`. */
  readonly path: string;
  readonly code: SpecProblemCode;
  readonly message: string;
  /** What is allowed or how to fix it. */
  readonly hint?: string;
  readonly severity: SpecSeverity;
}

/** A problem found by a rule, before it is given a position in a file. */
export interface Finding {
  readonly path: readonly PathSegment[];
  readonly code: SpecProblemCode;
  readonly message: string;
  readonly hint?: string;
  readonly severity?: SpecSeverity;
  /** Point at the key itself rather than its value (unknown keys, bad names used as keys). */
  readonly atKey?: boolean;
}

/** `['stages', 'test', 'script', 0]` → `stages.test.script[0]`; odd keys are quoted. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out === '' ? '(top level)' : out;
}

/** `file:line:col  code  message (hint)`; the position is left out when unknown. */
export function formatProblem(problem: SpecProblem): string {
  const where = problem.line > 0 ? `${problem.file}:${problem.line}:${problem.column}` : problem.file;
  const level = problem.severity === 'warning' ? 'warning ' : '';
  const hint = problem.hint === undefined ? '' : ` (${problem.hint})`;
  return `${where}  ${level}${problem.code}  ${problem.path}: ${problem.message}${hint}`;
}

/** By file and position, so output reads top to bottom. */
export function sortProblems(problems: readonly SpecProblem[]): SpecProblem[] {
  return [...problems].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}

/** Gives a finding its place: the first file (of `locators`) that holds its path. */
export function findingToProblem(finding: Finding, locators: readonly SpecLocator[]): SpecProblem {
  const position = locate(locators, finding.path, finding.atKey);
  const problem: SpecProblem = {
    file: position.file,
    line: position.line,
    column: position.column,
    path: formatPath(finding.path),
    code: finding.code,
    message: finding.message,
    severity: finding.severity ?? 'error',
  };
  return finding.hint === undefined ? problem : { ...problem, hint: finding.hint };
}

/** Keeps the first finding per path and code (a stage default resolved per environment repeats). */
export function dedupeFindings(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${formatPath(f.path)}\u0000${f.code}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
