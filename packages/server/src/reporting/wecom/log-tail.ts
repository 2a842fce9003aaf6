import type { LogStore } from '../../logs/log-store.js';

/** Most lines read while looking for the end of a log (beyond it, the tail is what was reached). */
const MAX_SCANNED_LINES = 2_000_000;

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
): Promise<string[]> {
  if (count <= 0) return [];
  const tail: string[] = [];
  let cursor: string | undefined;
  let scanned = 0;
  while (!signal.aborted && scanned < MAX_SCANNED_LINES) {
    const chunk = await logs.read(pipelineId, stage, cursor, 10_000);
    for (const line of chunk.lines) {
      tail.push(line.x);
      if (tail.length > count) tail.shift();
    }
    scanned += chunk.lines.length;
    if (chunk.lines.length === 0 || chunk.cursor === cursor || chunk.done) break;
    cursor = chunk.cursor;
  }
  return tail;
}
