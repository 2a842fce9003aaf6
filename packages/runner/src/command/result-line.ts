/**
 * The one line a runner subcommand prints on stdout for the orchestrator: `::ferry-result::`
 * and a JSON object, last, after all output. Output the runner passes through (build steps, pod
 * logs) is escaped so that none of its lines starts with `::ferry-`: a Dockerfile or an
 * application cannot forge a result.
 */
export const RESULT_PREFIX = '::ferry-result::';
const RESERVED_PREFIX = '::ferry-';

export function formatResultLine(result: Readonly<Record<string, unknown>>): string {
  return `${RESULT_PREFIX}${JSON.stringify(result)}\n`;
}

/**
 * A line of passed-through output made safe: a line that would start with `::ferry-` once
 * leading blanks and control characters are dropped gets a leading space.
 */
export function escapeOutputLine(line: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is stripped
  return line.replace(/^[\s\u0000-\u001f]*/, '').startsWith(RESERVED_PREFIX) ? ` ${line}` : line;
}

/**
 * The result in a runner's output: the last line that starts with the prefix at column 0, parsed;
 * undefined when there is none or it is not a JSON object.
 */
export function parseResultLine(output: string): Record<string, unknown> | undefined {
  const lines = output.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = (lines[i] ?? '').replace(/\r$/, '');
    if (!line.startsWith(RESULT_PREFIX)) continue;
    try {
      const parsed: unknown = JSON.parse(line.slice(RESULT_PREFIX.length));
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
        return parsed as Record<string, unknown>;
    } catch {
      // Not a result: keep looking further up.
    }
  }
  return undefined;
}
