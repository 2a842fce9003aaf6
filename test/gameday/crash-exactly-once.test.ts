import { describe, expect, it } from 'vitest';
import { runningScripts } from './crash-world.js';
import { redisDir, useGameDay } from './game-day.js';

/**
 * Issue 12's game day, kept in the suite: real Ferry processes (local executor), a real
 * redis-server of the test's own with AOF, SIGKILL and kill -9 in the middle of pipelines, and the
 * question the issue asks: does any stage end twice, run to its end twice, or get lost? Counted
 * from the store's stage events and from what the stage scripts themselves wrote.
 */
describe('game day: every stage outcome exactly once', () => {
  const { aof, world, redisServer, expectExactlyOnce } = useGameDay();

  it('SIGKILL of Ferry mid-pipelines, restart: finished runners are adopted, no stage ends or runs twice', async () => {
    const redis = await redisServer(aof);
    const w = await world(redis);
    const a = await w.ferry('a');
    const ids = await w.pushAll();
    // Kill while the stage scripts run: they go on without their Ferry.
    await w.until(() => runningScripts(w) >= 6, 60_000, 'stage scripts running');
    a.child.kill('SIGKILL');
    expect(await a.exited).toBe('SIGKILL');
    // The scripts finish while no Ferry runs.
    await new Promise((r) => setTimeout(r, 4_500));
    const b = await w.ferry('a');
    await expectExactlyOnce(w, ids, 'SIGKILL ferry', [b]);
    expect(b.output()).toContain('adopted a runner that finished while no Ferry watched it');
  }, 150_000);

  it('kill -9 of Redis (AOF) mid-pipelines, restart: the ends Ferry kept are written once', async () => {
    const redis = await redisServer(aof);
    const w = await world(redis);
    const a = await w.ferry('a');
    const ids = await w.pushAll();
    await w.until(() => runningScripts(w) >= 6, 60_000, 'stage scripts running');
    redis.child.kill('SIGKILL');
    await redis.stop();
    // The stages end while Redis is away, long enough for Ferry's writes to fail: their ends
    // wait in Ferry (memory and journal).
    await new Promise((r) => setTimeout(r, 14_000));
    const args = [...aof, '--dir', redisDir(redis)];
    await redisServer(args, redis.port);
    await expectExactlyOnce(w, ids, 'kill -9 redis', [a]);
    expect(a.child.exitCode).toBe(null);
  }, 150_000);

  it('SIGTERM while Redis is down after the stages ended: the bounded exit loses no outcome', async () => {
    const redis = await redisServer(aof);
    const w = await world(redis);
    const a = await w.ferry('a');
    const ids = await w.pushAll();
    await w.until(() => runningScripts(w) >= 6, 60_000, 'stage scripts running');
    redis.child.kill('SIGKILL');
    await redis.stop();
    // The scripts end while Redis is away; then Ferry is told to stop and cannot wait for Redis.
    await new Promise((r) => setTimeout(r, 9_000));
    const sent = Date.now();
    a.child.kill('SIGTERM');
    await a.exited;
    // limits.drainTimeout is 5 s in this world.
    expect(Date.now() - sent).toBeLessThan(5_000 + 2_000);
    await redisServer([...aof, '--dir', redisDir(redis)], redis.port);
    // The next Ferry over the same journal directory: journaled ends first, then adoption.
    const next = await w.ferry('a');
    await expectExactlyOnce(w, ids, 'SIGTERM with redis down', [a, next]);
  }, 150_000);
});
