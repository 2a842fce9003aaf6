import { promisify } from 'node:util';
import { deflateRaw, inflateRaw } from 'node:zlib';
import { archivedLines, type LogRun } from '../../logs/redis/log-entry.js';
import type { LogEntry, RawLogEntry } from '../history-store.js';
import { parseStreamId, type StreamId } from './stream-id.js';

// zlib's async calls run on libuv's thread pool: compression never holds the event loop.
const deflate = promisify(deflateRaw);
const inflate = promisify(inflateRaw);

/** An entry as archived: its runs, or its lines when it was written before runs. */
export type ArchivedEntry = [id: string, batch: Array<LogRun | LogEntry[1][number]>];

/** An archived run of log entries: compressed together, keyed by its first and last stream ids. */
export interface LogChunkRow {
  first: StreamId;
  last: StreamId;
  data: Buffer;
  rawBytes: number;
}

/**
 * zlib level for archived logs: 1 (fastest). Measured on bench:soak's build-like log (256 KiB chunks
 * of its JSON): half the CPU of zlib's default level 6 (2.1 vs 4.3 ms a chunk), for 3 % more bytes
 * (4.67× against 4.82×). Archival shares the replica's CPU with pipeline production.
 */
export const logDeflateLevel = 1;

/** Raw JSON bytes per chunk: big enough to compress well, small enough to read one at a time. */
export const chunkRawBytes = 256 * 1024;

const open = Buffer.from('[');
const comma = Buffer.from(',');
const close = Buffer.from(']');

/**
 * The JSON text `[[id, lines], …]` of a run of entries, built from the lines' JSON as Redis holds it
 * (never parsed and stringified again): the same text JSON.stringify gives for the parsed entries.
 */
export function entriesJson(group: readonly RawLogEntry[]): Buffer {
  const parts: Buffer[] = [open];
  group.forEach(([id, lines], i) => {
    if (i > 0) parts.push(comma);
    parts.push(Buffer.from(`[${JSON.stringify(id)},`), lines, close);
  });
  parts.push(close);
  return Buffer.concat(parts);
}

/**
 * Groups a log's entries (read lazily) into compressed chunks of about `maxRaw` bytes of JSON, so
 * at most one chunk of a log is in memory at once. Boundaries depend only on the log itself.
 */
export async function* compressEntries(
  entries: AsyncIterable<RawLogEntry>,
  maxRaw = chunkRawBytes,
): AsyncGenerator<LogChunkRow> {
  let group: RawLogEntry[] = [];
  let size = 0;
  const emit = async (): Promise<LogChunkRow> => {
    const json = entriesJson(group);
    const row: LogChunkRow = {
      first: parseStreamId(group[0]![0]),
      last: parseStreamId(group.at(-1)![0]),
      data: await deflate(json, { level: logDeflateLevel }),
      rawBytes: json.length,
    };
    group = [];
    size = 0;
    return row;
  };
  for await (const entry of entries) {
    group.push(entry);
    size += entry[1].length + entry[0].length + 5;
    if (size >= maxRaw) yield await emit();
  }
  if (group.length > 0) yield await emit();
}

/** A chunk's entries, each with its lines (archived runs expanded, `archivedLines`). */
export async function decompressChunk(data: Buffer): Promise<LogEntry[]> {
  const entries = JSON.parse((await inflate(data)).toString('utf8')) as ArchivedEntry[];
  return entries.map(([id, batch]) => [id, archivedLines(batch)]);
}

/** Entries as Redis holds them, from parsed ones (tests, and logs written before an upgrade). */
export async function* rawEntries(
  entries: AsyncIterable<LogEntry> | Iterable<LogEntry>,
): AsyncGenerator<RawLogEntry> {
  for await (const [id, lines] of entries) yield [id, Buffer.from(JSON.stringify(lines))];
}
