import type { LogLine } from '../log-store.js';

/**
 * Consecutive lines of one stream that were complete at the same moment, as a stage log's Redis
 * stream entry holds them: one text, the lines joined by newlines (a line never holds one); line
 * `i` of the run is line number `n + i`.
 */
export type LogRun = [n: number, t: number, s: LogLine['s'], text: string];

/**
 * The field of a stage log's stream entry: JSON `LogRun[]`. One string per run instead of one
 * object per line, so a stage printing 100 MB of short lines costs the writer a few thousand
 * strings, not a million objects to build, serialize and collect.
 */
export const RUNS_FIELD = 'r';
/** The field entries had before runs (JSON `LogLine[]`); still read, never written. */
const LINES_FIELD = 'l';

export function encodeRuns(runs: readonly LogRun[]): string {
  return JSON.stringify(runs);
}

/** How many lines `text` holds (one more than its newlines). */
export function countLines(text: string): number {
  let lines = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines += 1;
  return lines;
}

function runLines([n, t, s, text]: LogRun): LogLine[] {
  return text.split('\n').map((x, i) => ({ n: n + i, t, s, x }));
}

/** The lines of a stage log's stream entry (`[field, value, …]` as XRANGE and XREAD give it). */
export function decodeEntry(fields: readonly string[]): LogLine[] {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === RUNS_FIELD) return (JSON.parse(fields[i + 1]!) as LogRun[]).flatMap(runLines);
    if (fields[i] === LINES_FIELD) return JSON.parse(fields[i + 1]!) as LogLine[];
  }
  return [];
}

/**
 * The lines of an entry read as bytes (`xrangeBuffer`), as JSON `LogLine[]` for the archive:
 * an entry in the older form is passed on as it is, never parsed.
 */
export function entryLinesJson(fields: readonly Buffer[]): Buffer | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i]!.toString('latin1');
    if (name === LINES_FIELD) return fields[i + 1]!;
    if (name === RUNS_FIELD)
      return Buffer.from(JSON.stringify(decodeEntry([RUNS_FIELD, fields[i + 1]!.toString('utf8')])));
  }
  return undefined;
}
