import { type StageRecord, testJobLogKey } from '@ferry/shared';
import type { LogStore } from '../../logs/log-store.js';

/** The log that explains a failed stage: the first failed test job's own log when it has jobs. */
export function failedLogKey(stage: Pick<StageRecord, 'name' | 'jobs' | 'jobsForm'>): string {
  const job = stage.jobs?.find((j) => j.status === 'failed');
  return job === undefined || stage.jobsForm === undefined
    ? stage.name
    : testJobLogKey(job.name, stage.jobsForm);
}

/** Most lines read while looking for the end of a log (beyond it, the tail is what was reached). */
const MAX_SCANNED_LINES = 2_000_000;

/** A log line that reads like an error (npm, compilers, test runners, shells, docker builds). */
const ERROR_LINE = /\b(error|err!|failed|failure|fatal|exception|panic|traceback)\b|^E\s|✗|✖/i;

/** The last lines of a failed stage's log and its first error line (when not among them). */
export interface LogExcerpt {
  tail: string[];
  firstError?: string;
}

/**
 * The last `count` lines of a stage log and the first line that reads like an error, read in one
 * pass; `firstError` is left out when it is one of the last lines anyway.
 */
export async function readLogExcerpt(
  logs: LogStore,
  pipelineId: string,
  stage: string,
  count: number,
  signal: AbortSignal,
): Promise<LogExcerpt> {
  let firstError: string | undefined;
  let seen = 0;
  let firstErrorAt = -1;
  const tail = await readLogTail(logs, pipelineId, stage, count, signal, (line) => {
    if (firstError === undefined && ERROR_LINE.test(line)) {
      firstError = line;
      firstErrorAt = seen;
    }
    seen += 1;
  });
  const inTail = firstErrorAt >= seen - tail.length;
  return firstError === undefined || inTail ? { tail } : { tail, firstError };
}

/**
 * The last `count` lines of a stage log. The store reads forward only, so this pages through the
 * log (at most its cap, 16 MiB by default) keeping the last lines.
 */
export async function readLogTail(
  logs: LogStore,
  pipelineId: string,
  stage: string,
  count: number,
  signal: AbortSignal,
  /** Sees every line read, in order. */
  onLine?: (line: string) => void,
): Promise<string[]> {
  if (count <= 0 && onLine === undefined) return [];
  const tail: string[] = [];
  let cursor: string | undefined;
  let scanned = 0;
  while (!signal.aborted && scanned < MAX_SCANNED_LINES) {
    const chunk = await logs.read(pipelineId, stage, cursor, 10_000);
    for (const line of chunk.lines) {
      onLine?.(line.x);
      tail.push(line.x);
      if (tail.length > count) tail.shift();
    }
    scanned += chunk.lines.length;
    if (chunk.lines.length === 0 || chunk.cursor === cursor || chunk.done) break;
    cursor = chunk.cursor;
  }
  return tail;
}
