import type { Redis } from 'ioredis';
import type { LogChunk } from './log-store.js';

/**
 * Follows a stage log: pages from `read` as they come, waking on new entries of the log's Redis
 * stream (`streamKey`) through a blocking read on a connection of its own, and at least once a
 * second (the log may have moved to the archive meanwhile). Ends when the log is complete or
 * `signal` aborts.
 */
export async function* followLog(
  read: (cursor: string) => Promise<LogChunk>,
  redis: Redis,
  streamKey: string,
  signal: AbortSignal,
  cursor = '-',
): AsyncGenerator<LogChunk> {
  const blocking = redis.duplicate();
  blocking.on('error', () => {});
  const onAbort = () => blocking.disconnect();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    let position = cursor;
    for (;;) {
      const chunk = await read(position);
      if (chunk.lines.length > 0 || chunk.done) {
        position = chunk.cursor;
        yield chunk;
        if (chunk.done) return;
        continue;
      }
      if (signal.aborted) return;
      const id = position === '-' ? '0-0' : position;
      await blocking.xread('COUNT', 1, 'BLOCK', 1000, 'STREAMS', streamKey, id).catch(() => null);
      if (signal.aborted) return;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    blocking.disconnect();
  }
}
