import type { LogLine } from '../api/types';

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences start with ESC.
const ansiPattern = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007]*(\u0007|\u001b\\)/g;

export function stripAnsi(text: string): string {
  return text.replace(ansiPattern, '');
}

/** Words that mark the line where things went wrong, as compilers, test runners and npm print them. */
const errorPattern =
  /(^|[^\w-])(error|errors|err!|fatal|failed|failure|failing|exception|panic|traceback|cannot|denied|refused|not found|exit code [1-9])([^\w-]|$)/i;
/** …but not the all-clear: `0 errors`, `no errors`, `errors: 0`. */
const allClear = /\b(0|no) (errors?|failures?|failed)\b|\b(errors?|failures?|failed):? 0\b/i;

export function looksLikeError(line: LogLine): boolean {
  const text = stripAnsi(line.x);
  return errorPattern.test(text) && !allClear.test(text);
}

/** The first line that reads like an error, or undefined. */
export function firstError(lines: Iterable<LogLine>): LogLine | undefined {
  for (const line of lines) if (looksLikeError(line)) return line;
  return undefined;
}
