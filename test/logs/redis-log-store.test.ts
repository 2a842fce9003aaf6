import { randomUUID } from 'node:crypto';
import { createLogger } from '@ferry/shared';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveKeys } from '../../packages/server/src/history/redis/redis-live-keys.js';
import { LogFollowers } from '../../packages/server/src/logs/follow/log-followers.js';
import type { LogChunk, LogLine } from '../../packages/server/src/logs/log-store.js';
import { maskingSink } from '../../packages/server/src/logs/masking-sink.js';
import { RedisLogStore } from '../../packages/server/src/logs/redis/redis-log-store.js';
import { eventually } from '../support/ferry.js';
import { connectTestRedis } from '../support/services.js';

describe('RedisLogStore on the real Redis', () => {
  let redis: Redis;
  beforeAll(async () => {
    redis = await connectTestRedis();
  });
  afterAll(async () => redis.quit());

  const store = (capBytes = 16 * 1024 * 1024) =>
    new RedisLogStore(redis, { prefix: `logt${randomUUID().slice(0, 6)}`, capBytes });

  async function readAll(
    s: RedisLogStore,
    id: string,
    stage: string,
  ): Promise<LogChunk & { all: LogLine[] }> {
    const all: LogLine[] = [];
    let cursor: string | undefined;
    let last: LogChunk;
    do {
      last = await s.read(id, stage, cursor);
      all.push(...last.lines);
      cursor = last.cursor;
    } while (last.lines.length > 0 && !last.done);
    return { ...last, all };
  }

  it('stores lines per stream with timestamps, in order, and marks the log complete', async () => {
    const s = store();
    const w = s.writer('p1', 'test');
    w.system('ferry: test started');
    w.write('stdout', 'one\ntw');
    w.write('stderr', 'warning!\n');
    w.write('stdout', 'o\nthree');
    await w.close();
    const { all, done, droppedBytes } = await readAll(s, 'p1', 'test');
    expect(all.map((l) => [l.s, l.x])).toEqual([
      ['s', 'ferry: test started'],
      ['o', 'one'],
      ['e', 'warning!'],
      ['o', 'two'],
      ['o', 'three'],
    ]);
    expect(all.every((l) => l.t > 0)).toBe(true);
    expect(all.map((l) => l.n)).toEqual([0, 1, 2, 3, 4]);
    expect(done).toBe(true);
    expect(droppedBytes).toBe(0);
  });

  it("keeps a stream's last line without a newline before a later line of Ferry's", async () => {
    const s = store();
    const w = s.writer('p8', 'test');
    w.write('stdout', 'done\nno newline at the end');
    w.system('ferry: test success');
    await w.close();
    const { all } = await readAll(s, 'p8', 'test');
    expect(all.map((l) => [l.s, l.x])).toEqual([
      ['o', 'done'],
      ['o', 'no newline at the end'],
      ['s', 'ferry: test success'],
    ]);
  });

  it('keeps the head and the tail over the cap and says how much of the middle was dropped', async () => {
    const s = new RedisLogStore(redis, {
      prefix: `logt${randomUUID().slice(0, 6)}`,
      capBytes: 64 * 1024,
      batchBytes: 4096,
    });
    const w = s.writer('p2', 'build');
    for (let i = 0; i < 5000; i++)
      w.write('stdout', `line ${String(i).padStart(5, '0')} ${'x'.repeat(40)}\n`);
    w.write('stderr', 'error: the real reason is at the end\n');
    await w.close();
    const { all, droppedBytes, droppedAfter } = await readAll(s, 'p2', 'build');
    expect(all[0]?.x).toMatch(/^line 00000/);
    expect(all.at(-1)?.x).toBe('error: the real reason is at the end');
    const total = 5000 * 52 + 'error: the real reason is at the end\n'.length;
    const kept = all.reduce((n, l) => n + l.x.length + 1, 0);
    expect(kept).toBeLessThanOrEqual(64 * 1024 + 8192);
    expect(kept + droppedBytes).toBe(total);
    expect(droppedAfter).toBeDefined();
    const at = all.findIndex((l) => l.n === droppedAfter);
    expect(all[at + 1]!.n).toBeGreaterThan(droppedAfter! + 1);
  });

  /** How many entries were ever added to a stream (Redis 7: XINFO STREAM entries-added), deleted ones included. */
  async function entriesAdded(key: string): Promise<number> {
    const info = (await redis.xinfo('STREAM', key)) as unknown[];
    return Number(info[info.indexOf('entries-added') + 1]);
  }

  it('never writes the middle of an over-cap log to Redis when more than half a cap follows it within tailHoldMs', async () => {
    const prefix = `logt${randomUUID().slice(0, 6)}`;
    // A hold longer than the test: past the head, only the last half cap is ever written (at close).
    const s = new RedisLogStore(redis, {
      prefix,
      capBytes: 64 * 1024,
      batchBytes: 4096,
      tailHoldMs: 600_000,
    });
    const w = s.writer('p6', 'build');
    for (let i = 0; i < 5000; i++) {
      w.write('stdout', `line ${String(i).padStart(5, '0')} ${'x'.repeat(40)}\n`);
      // Redis answers a few times after each batch, so every batch could be written as it comes.
      if (i % 80 === 79) for (let k = 0; k < 5; k++) await redis.ping();
    }
    w.write('stderr', 'error: the real reason is at the end\n');
    await w.close();
    const total = 5000 * 52 + 'error: the real reason is at the end\n'.length;
    const { all, droppedBytes, droppedAfter } = await readAll(s, 'p6', 'build');
    expect(all[0]?.x).toMatch(/^line 00000/);
    expect(all.at(-1)?.x).toBe('error: the real reason is at the end');
    const kept = all.reduce((n, l) => n + l.x.length + 1, 0);
    expect(kept + droppedBytes).toBe(total);
    expect(all.findIndex((l) => l.n === droppedAfter)).toBeGreaterThan(0);
    // 64 batches of 4 KB were written by the writer; Redis saw the head's 8, the tail's 8 and the end.
    expect(await entriesAdded(`${prefix}:log:p6:build`)).toBeLessThanOrEqual(8 + 9 + 1);
  });

  it('writes output past the head after tailHoldMs while the stage still runs', async () => {
    const prefix = `logt${randomUUID().slice(0, 6)}`;
    const s = new RedisLogStore(redis, { prefix, capBytes: 8 * 1024, batchBytes: 1024 });
    const w = s.writer('p7', 'test');
    for (let i = 0; i < 400; i++) w.write('stdout', `filling the head ${i}\n`);
    await eventually(async () =>
      (await redis.hget(`${prefix}:log:p7:test:meta`, 'headEnd')) === null ? undefined : true,
    );
    w.write('stdout', 'a line past the head\n');
    const seen = await eventually(async () => {
      const { all } = await readAll(s, 'p7', 'test');
      return all.some((l) => l.x === 'a line past the head') ? all : undefined;
    });
    expect(seen.at(-1)?.x).toBe('a line past the head');
    await w.close();
  });

  it('cuts a chunk of many lines into batches of batchBytes, numbers every line, strips CRLF ends', async () => {
    const prefix = `logt${randomUUID().slice(0, 6)}`;
    const s = new RedisLogStore(redis, { prefix, capBytes: 1 << 20, batchBytes: 1024 });
    const w = s.writer('p5', 'test');
    const lines = Array.from({ length: 500 }, (_, i) => `line ${i} ${'y'.repeat(i % 37)}\r`);
    // One chunk of ~14 KB (a big read of the runner's output), then a progress bar without its newline.
    w.write('stdout', `${lines.join('\n')}\nkeep\r\r\n\n`);
    w.write('stderr', 'half a li');
    w.write('stderr', 'ne\r\n');
    await w.close();
    const { all } = await readAll(s, 'p5', 'test');
    expect(all.map((l) => l.x)).toEqual([...lines.map((l) => l.slice(0, -1)), 'keep\r', '', 'half a line']);
    expect(all.map((l) => l.n)).toEqual(all.map((_, i) => i));
    expect(all.at(-1)?.s).toBe('e');
    // Stored as batches of runs: each batch ends with the line that reached 1024 bytes.
    const entries = await redis.xrange(`${prefix}:log:p5:test`, '-', '+');
    const sizes = entries.map(([, fields]) =>
      (JSON.parse(fields[1]!) as Array<[number, number, string, string]>).reduce(
        (bytes, run) => bytes + run[3].length + 1,
        0,
      ),
    );
    expect(entries.every(([, fields]) => fields[0] === 'r')).toBe(true);
    expect(sizes.length).toBeGreaterThanOrEqual(12);
    for (const size of sizes.slice(0, -3)) {
      expect(size).toBeGreaterThanOrEqual(1024);
      expect(size).toBeLessThan(1024 + 50);
    }
  });

  it('masks secrets split across chunks before they are stored', async () => {
    const prefix = `logt${randomUUID().slice(0, 6)}`;
    const s = new RedisLogStore(redis, { prefix, capBytes: 1 << 20 });
    const w = s.writer('p3', 'test');
    const sink = maskingSink(w, ['glpat-abcdef123456']);
    sink.write('stdout', 'cloning with glpat-abc');
    sink.write('stdout', 'def123456 done\n');
    sink.flush();
    await w.close();
    const { all } = await readAll(s, 'p3', 'test');
    expect(all.map((l) => l.x)).toEqual(['cloning with [masked] done']);
    const raw = JSON.stringify(await redis.xrange(`${prefix}:log:p3:test`, '-', '+'));
    expect(raw).not.toContain('glpat');
  });

  it('lets several followers see new lines live, and ends them when the log completes', async () => {
    const prefix = `logt${randomUUID().slice(0, 6)}`;
    const s = new RedisLogStore(redis, { prefix, capBytes: 1 << 20 });
    const live = new LogFollowers({
      redis,
      logger: createLogger({ level: 'silent' }),
      logs: s,
      keys: liveKeys(prefix),
      // A stage that is running: only the log's end ends the followers.
      settled: async () => false,
    });
    const w = s.writer('p4', 'test');
    const controllers = [new AbortController(), new AbortController(), new AbortController()];
    const seen = controllers.map(() => [] as Array<{ x: string; at: number }>);
    const followers = controllers.map(async (c, i) => {
      for await (const chunk of live.follow('p4', 'test', c.signal)) {
        for (const line of chunk.lines) seen[i]!.push({ x: line.x, at: Date.now() });
      }
    });
    await new Promise((r) => setTimeout(r, 100));
    const sentAt: number[] = [];
    for (let i = 0; i < 5; i++) {
      sentAt.push(Date.now());
      w.write('stdout', `live ${i}\n`);
      await new Promise((r) => setTimeout(r, 150));
    }
    await w.close();
    await Promise.all(followers);
    await live.close();
    for (const lines of seen) {
      expect(lines.map((l) => l.x)).toEqual(['live 0', 'live 1', 'live 2', 'live 3', 'live 4']);
      // Delivery delay is reported, not asserted against a wall clock (machines are noisy).
      const delays = lines.map((l, i) => l.at - sentAt[i]!);
      expect(delays.every((d) => d >= 0)).toBe(true);
    }
  });
});
