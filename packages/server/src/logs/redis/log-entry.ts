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
 * An entry read as bytes (`xrangeBuffer`), for the archive: its JSON, runs (`LogRun[]`) or lines
 * in the older form (`LogLine[]`), passed on as it is, never parsed; `archivedLines` reads either.
 */
export function entryJson(fields: readonly Buffer[]): Buffer | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i]!.toString('latin1');
    if (name === RUNS_FIELD || name === LINES_FIELD) return fields[i + 1]!;
  }
  return undefined;
}

/** The lines of an archived entry's parsed JSON: runs expanded, older line objects as they are. */
export function archivedLines(batch: ReadonlyArray<LogRun | LogLine>): LogLine[] {
  return batch.flatMap((item) => (Array.isArray(item) ? runLines(item) : [item]));
}
