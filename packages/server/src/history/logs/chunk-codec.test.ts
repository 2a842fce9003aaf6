import type { LogLine } from '@ferry/shared';
import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../history-store.js';
import { compressEntries, decompressChunk, entriesJson, rawEntries } from './chunk-codec.js';

const line = (n: number, x: string): LogLine => ({ n, t: 1_700_000_000_000 + n, s: n % 2 ? 'e' : 'o', x });

const entries: LogEntry[] = [
  ['1700000000000-0', [line(0, 'plain'), line(1, 'quotes " and \\ backslash')]],
  ['1700000000001-3', [line(2, 'unicode 部署成功 ✓ \u0001 control')]],
  ['1700000000002-0', []],
];

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('chunk codec', () => {
  it('builds from Redis bytes exactly the JSON the parsed entries stringify to', async () => {
    const raw = await collect(rawEntries(entries));
    expect(entriesJson(raw).toString('utf8')).toBe(JSON.stringify(entries));
    expect(entriesJson(raw.slice(0, 1)).toString('utf8')).toBe(JSON.stringify(entries.slice(0, 1)));
  });

  it('compresses runs of entries that decompress to the same entries, cut by size', async () => {
    const many: LogEntry[] = Array.from({ length: 50 }, (_, i) => [
      `${1_700_000_000_000 + i}-0`,
      [line(i, `step ${i} ${'x'.repeat(100)}`)],
    ]);
    const chunks = await collect(compressEntries(rawEntries(many), 1024));
    expect(chunks.length).toBeGreaterThan(3);
    const back = (await Promise.all(chunks.map((c) => decompressChunk(c.data)))).flat();
    expect(back).toEqual(many);
    expect(chunks[0]?.first).toEqual({ ms: 1_700_000_000_000, seq: 0 });
    expect(chunks.at(-1)?.last).toEqual({ ms: 1_700_000_000_049, seq: 0 });
    // Every chunk but the last reached the size; none is far past it (one entry more at most).
    for (const c of chunks.slice(0, -1)) expect(c.rawBytes).toBeGreaterThanOrEqual(1024);
    for (const c of chunks) expect(c.rawBytes).toBeLessThan(1024 + 200);
  });
});
