import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import type { LogChunk, LogLine } from '@ferry/shared';
import { archivedLines } from '../../logs/redis/log-entry.js';
import type { LogArchive, RawLogEntry, StageLogFacts } from '../history-store.js';
import { type ArchivedEntry, entriesJson, logDeflateLevel } from './chunk-codec.js';
import { parseStreamId, streamIdAfter } from './stream-id.js';

const newline = Buffer.from('\n');

/**
 * Archived stage logs as gzip files in a directory (a PVC on Kubernetes): one file per stage, one
 * JSON line per Redis stream entry (`[id, lines]`). Written and read as streams; the facts (head…tail
 * marker) stay in the archive database.
 */
export class DirectoryLogArchive implements LogArchive {
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
  }

  #file(pipelineId: string, stage: string): string {
    return join(this.#dir, pipelineId, `${stage}.ndjson.gz`);
  }

  async putLog(
    pipelineId: string,
    stage: string,
    _facts: StageLogFacts,
    entries: AsyncIterable<RawLogEntry>,
    signal?: AbortSignal,
  ): Promise<{ rawBytes: number; storedBytes: number }> {
    const file = this.#file(pipelineId, stage);
    await mkdir(join(this.#dir, pipelineId), { recursive: true });
    // Written beside it and renamed: a repeated move replaces the file whole, a crash leaves no half.
    const temp = `${file}.${randomUUID()}.tmp`;
    let rawBytes = 0;
    // Each line is the entry's JSON, built from the lines' JSON as Redis holds it (not re-encoded).
    async function* lines() {
      for await (const entry of entries) {
        const line = Buffer.concat([entriesJson([entry]).subarray(1, -1), newline]);
        rawBytes += line.length;
        yield line;
      }
    }
    await pipeline(
      lines(),
      createGzip({ level: logDeflateLevel }),
      createWriteStream(temp),
      signal === undefined ? {} : { signal },
    );
    await rename(temp, file);
    return { rawBytes, storedBytes: (await stat(file)).size };
  }

  async readLog(
    pipelineId: string,
    stage: string,
    cursor: string,
    limit: number,
  ): Promise<LogChunk | undefined> {
    const file = this.#file(pipelineId, stage);
    try {
      await stat(file);
    } catch {
      return undefined;
    }
    const after = parseStreamId(cursor);
    const source = createReadStream(file);
    const reader = createInterface({
      input: source.pipe(createGunzip()),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    const lines: LogLine[] = [];
    let last = cursor;
    let done = true;
    try {
      for await (const text of reader) {
        if (text === '') continue;
        const [id, archived] = JSON.parse(text) as ArchivedEntry;
        const batch = archivedLines(archived);
        if (!streamIdAfter(parseStreamId(id), after)) continue;
        if (lines.length >= limit) {
          done = false;
          break;
        }
        lines.push(...batch);
        last = id;
      }
    } finally {
      reader.close();
      source.destroy();
    }
    return { lines, cursor: last, done, droppedBytes: 0 };
  }

  async deleteLogs(pipelineIds: readonly string[]): Promise<void> {
    for (const id of pipelineIds) await rm(join(this.#dir, id), { recursive: true, force: true });
  }
}
