import * as RunnerErrors from '../errors/codes/runner.js';
import { FerryError } from '../errors/ferry-error.js';
import { contractMismatch, RUNNER_CONTRACT_VERSION } from './contract-version.js';
import { type ResultKind, type RunnerResult, type RunnerResults, resultSchemas } from './results.js';

/**
 * The one line a runner subcommand (build, deploy) prints on stdout for the server:
 * `::ferry-result::` and a JSON object with the runner's contract version, last, after all output.
 * Output the runner passes through (build steps, pod logs) is escaped so that none of its lines
 * starts with `::ferry-`: a Dockerfile or an application cannot forge a result.
 */
export const RESULT_PREFIX = '::ferry-result::';
const RESERVED_PREFIX = '::ferry-';

/** The result line for `result`, with the contract version this build speaks. The writer. */
export function formatResultLine<K extends ResultKind>(_kind: K, result: RunnerResults[K]): string {
  return `${RESULT_PREFIX}${JSON.stringify({ contract: RUNNER_CONTRACT_VERSION, ...result })}\n`;
}

/**
 * A line of passed-through output made safe: a line that would start with `::ferry-` once
 * leading blanks and control characters are dropped gets a leading space.
 */
export function escapeOutputLine(line: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is stripped
  return line.replace(/^[\s\u0000-\u001f]*/, '').startsWith(RESERVED_PREFIX) ? ` ${line}` : line;
}

/** What one line of a runner's stdout says. */
export type ResultLineRead<T> =
  /** Not a result line (no prefix at column 0). */
  | { readonly kind: 'none' }
  | { readonly kind: 'result'; readonly result: T }
  /** A result line the server cannot use: RUNNER_CONTRACT_MISMATCH or RUNNER_RESULT_INVALID. */
  | { readonly kind: 'invalid'; readonly error: FerryError };

function invalid(stage: ResultKind, reason: string): { kind: 'invalid'; error: FerryError } {
  return { kind: 'invalid', error: new FerryError(RunnerErrors.RUNNER_RESULT_INVALID, { stage, reason }) };
}

/**
 * One line of a `ferry-runner <kind>` run's stdout, read: the version is checked before the
 * schema, so an older runner image is named as such rather than as a malformed result. Pure.
 */
export function parseResultLine<K extends ResultKind>(
  line: string,
  kind: K,
): ResultLineRead<RunnerResults[K]> {
  const text = line.replace(/\r$/, '');
  if (!text.startsWith(RESULT_PREFIX)) return { kind: 'none' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.slice(RESULT_PREFIX.length));
  } catch (err) {
    return invalid(kind, `not JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return invalid(kind, 'not a JSON object');
  const { contract, ...fields } = parsed as Record<string, unknown>;
  if (contract !== RUNNER_CONTRACT_VERSION)
    return { kind: 'invalid', error: contractMismatch(contract, RUNNER_CONTRACT_VERSION) };
  const schemas = resultSchemas[kind];
  const checked = ('error' in fields ? schemas.failure : schemas.success).safeParse(fields);
  if (!checked.success) return invalid(kind, summarize(checked.error.issues));
  return { kind: 'result', result: checked.data as RunnerResults[K] };
}

/** parseResultLine, with the result tagged by its kind (RunnerResult). */
export function parseRunnerResult(line: string, kind: ResultKind): ResultLineRead<RunnerResult> {
  const read = parseResultLine(line, kind);
  return read.kind === 'result'
    ? { kind: 'result', result: { kind, result: read.result } as RunnerResult }
    : read;
}

function summarize(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 3)
    .map((i) => (i.path.length === 0 ? i.message : `${i.path.map(String).join('.')}: ${i.message}`))
    .join('; ');
}

/** The last result line of a whole output (the runner prints one, last); undefined when none. */
export function lastResultLine(output: string): string | undefined {
  const lines = output.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = (lines[i] ?? '').replace(/\r$/, '');
    if (line.startsWith(RESULT_PREFIX)) return line;
  }
  return undefined;
}

/** The result in a whole output, read (`none` when it holds no result line). */
export function readResult<K extends ResultKind>(output: string, kind: K): ResultLineRead<RunnerResults[K]> {
  const line = lastResultLine(output);
  return line === undefined ? { kind: 'none' } : parseResultLine(line, kind);
}
