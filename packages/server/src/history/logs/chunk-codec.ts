import { promisify } from 'node:util';
import { deflateRaw, inflateRaw } from 'node:zlib';
import type { LogEntry } from '../history-store.js';
import { parseStreamId, type StreamId } from './stream-id.js';

const deflate = promisify(deflateRaw);
const inflate = promisify(inflateRaw);

/** An archived run of log entries: compressed together, keyed by its first and last stream ids. */
export interface LogChunkRow {
  first: StreamId;
  last: StreamId;
  data: Buffer;
  rawBytes: number;
}

/** Raw JSON bytes per chunk: big enough to compress well, small enough to read one at a time. */
export const chunkRawBytes = 256 * 1024;

/**
 * Groups a log's entries (read lazily) into compressed chunks of about `chunkRawBytes`, so at most
 * one chunk of a log is in memory at once.
 */
export async function* compressEntries(
  entries: AsyncIterable<LogEntry>,
  maxRaw = chunkRawBytes,
): AsyncGenerator<LogChunkRow> {
  let group: LogEntry[] = [];
  let size = 0;
  const emit = async (): Promise<LogChunkRow> => {
    const json = JSON.stringify(group);
    const row: LogChunkRow = {
      first: parseStreamId(group[0]![0]),
      last: parseStreamId(group.at(-1)![0]),
      data: await deflate(Buffer.from(json, 'utf8')),
      rawBytes: Buffer.byteLength(json, 'utf8'),
    };
    group = [];
    size = 0;
    return row;
  };
  for await (const entry of entries) {
    group.push(entry);
    for (const line of entry[1]) size += line.x.length + 32;
    if (size >= maxRaw) yield await emit();
  }
  if (group.length > 0) yield await emit();
}

export async function decompressChunk(data: Buffer): Promise<LogEntry[]> {
  return JSON.parse((await inflate(data)).toString('utf8')) as LogEntry[];
}
