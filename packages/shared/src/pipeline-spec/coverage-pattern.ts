import { RE2JS } from 're2js';
import { MAX_COVERAGE_PATTERN } from './limits.js';

/**
 * The `coverage` pattern of a test job: a regular expression over the job's log, as GitLab's
 * `coverage` keyword (written `/…/` or bare). It is compiled with RE2 (re2js, linear-time
 * matching), so a hostile pattern cannot stall the server on a long log; RE2 has no lookaround
 * or backreferences. The value is the first capture group when there is one, else the first
 * number in the match; the last matching line wins.
 */

/** The pattern without GitLab's enclosing slashes. */
export function coveragePatternSource(text: string): string {
  return text.length >= 2 && text.startsWith('/') && text.endsWith('/') ? text.slice(1, -1) : text;
}

/** Why `text` is not a usable coverage pattern, or undefined. */
export function coveragePatternProblem(text: string): string | undefined {
  const source = coveragePatternSource(text);
  if (source.length === 0) return 'the pattern is empty';
  if (source.length > MAX_COVERAGE_PATTERN)
    return `the pattern is longer than ${MAX_COVERAGE_PATTERN} characters`;
  try {
    RE2JS.compile(source);
  } catch (err) {
    return `it is not a valid RE2 regular expression: ${(err as Error).message}`;
  }
  return undefined;
}

/** Lines longer than this are looked at only up to here (a coverage summary line is short). */
export const COVERAGE_LINE_MAX = 4096;

/** Finds coverage percentages in log lines; `value` is the last one seen, a number from 0 to 100. */
export class CoverageScanner {
  readonly #pattern: RE2JS;
  #value: number | undefined;

  /** Throws when the pattern does not compile (lint reports that first). */
  constructor(text: string) {
    this.#pattern = RE2JS.compile(coveragePatternSource(text));
  }

  get value(): number | undefined {
    return this.#value;
  }

  /** Looks at one log line. */
  line(text: string): void {
    const found = coverageOf(this.#pattern, text.slice(0, COVERAGE_LINE_MAX));
    if (found !== undefined) this.#value = found;
  }
}

function coverageOf(pattern: RE2JS, line: string): number | undefined {
  const matcher = pattern.matcher(line);
  if (!matcher.find()) return undefined;
  const captured = matcher.groupCount() > 0 ? matcher.group(1) : null;
  const text = captured ?? matcher.group(0) ?? '';
  const number = /\d+(?:\.\d+)?/.exec(text)?.[0];
  if (number === undefined) return undefined;
  const value = Number(number);
  return Number.isFinite(value) && value >= 0 && value <= 100 ? value : undefined;
}
