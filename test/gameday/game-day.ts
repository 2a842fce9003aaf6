import { isTerminalPipeline, type PipelineRecord } from '@ferry/shared';
import { afterEach, expect } from 'vitest';
import { type RedisProcess, startRedisProcess } from '../support/redis-process.js';
import { type CrashWorld, runningScripts, startCrashWorld } from './crash-world.js';

/**
 * The game day's shared pieces (the suite's scenarios and the open ones in open/): a Redis and a
 * crash world per test, cleaned up after each, and the exactly-once check. Call inside a describe.
 */
export function useGameDay() {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  });

  const aof = ['--maxmemory-policy', 'noeviction', '--appendonly', 'yes', '--appendfsync', 'always'];

  async function world(redis: RedisProcess, stageSeconds = 4): Promise<CrashWorld> {
    const w = await startCrashWorld({ redisUrl: redis.url, projects: 6, stageSeconds });
    cleanups.push(() => w.close());
    return w;
  }

  async function redisServer(args: string[], port?: number): Promise<RedisProcess> {
    const redis = await startRedisProcess(args, port);
    cleanups.push(() => redis.stop());
    return redis;
  }

  /** Redis (AOF), a world over it, Ferry `a`, and the world's pipelines with ≥ 6 stage scripts running. */
  async function midPipelines() {
    const redis = await redisServer(aof);
    const w = await world(redis);
    const a = await w.ferry('a');
    const ids = await w.pushAll();
    await w.until(() => runningScripts(w) >= 6, 60_000, 'stage scripts running');
    return { redis, w, a, ids };
  }

  /** kill -9 of Redis, waited for. */
  async function killRedis(redis: RedisProcess): Promise<void> {
    redis.child.kill('SIGKILL');
    await redis.stop();
  }

  /** Redis again on its port, from its AOF. */
  function restartRedis(redis: RedisProcess): Promise<RedisProcess> {
    return redisServer([...aof, '--dir', redisDir(redis)], redis.port);
  }

  /** Every pipeline ended successfully, each stage ended once, each script ran to its end once. */
  async function expectExactlyOnce(
    w: CrashWorld,
    ids: string[],
    label: string,
    ferries: Array<{ output(): string }>,
  ): Promise<void> {
    const done = await w.until(
      (all) => all.length === ids.length && all.every((p) => isTerminalPipeline(p.status)),
      90_000,
      'every pipeline to end',
    );
    // The scripts' own record settles a moment after the last pipeline ends.
    await new Promise((r) => setTimeout(r, 300));
    const ends = await w.stageEnds();
    const runs = w.scriptRuns();
    const counts = {
      pipelines: ids.length,
      succeeded: done.filter((p) => p.status === 'success').length,
      stageEndEvents: [...ends.values()].reduce((a, b) => a + b, 0),
      stagesEndedTwice: [...ends.values()].filter((n) => n > 1).length,
      scriptStarts: [...runs.starts.values()].reduce((a, b) => a + b, 0),
      scriptEnds: [...runs.ends.values()].reduce((a, b) => a + b, 0),
      scriptsEndedTwice: [...runs.ends.values()].filter((n) => n > 1).length,
      // A rerun stage has attempt 2; an adopted one keeps attempt 1 and says so in the log.
      rerun: done.filter((p: PipelineRecord) => p.stages.some((s) => s.attempts > 1)).length,
      adopted: ferries.reduce((n, f) => n + f.output().split('adopted a runner that finished').length - 1, 0),
      journaled: ferries.reduce((n, f) => n + f.output().split('kept in the journal').length - 1, 0),
      // Jobs BullMQ delivered again while their pipeline still ran in the same process (lock lost).
      redelivered: ferries.reduce(
        (n, f) => n + f.output().split('delivered again while this process').length - 1,
        0,
      ),
    };
    console.log(`game day ${label}: ${JSON.stringify(counts)}`);
    expect(done.map((p) => p.status)).toEqual(ids.map(() => 'success'));
    // A pipeline is only a success through a test stage that succeeded (never past a failed one).
    expect(done.map((p) => p.stages.find((s) => s.name === 'test')?.status)).toEqual(
      ids.map(() => 'success'),
    );
    for (const id of ids) {
      for (const stage of ['test', 'build', 'deploy'])
        expect(ends.get(`${id}/${stage}`), `${id}/${stage}`).toBe(1);
      expect(runs.ends.get(id), `stage script of ${id} ran to its end`).toBe(1);
    }
  }

  return { aof, world, redisServer, midPipelines, killRedis, restartRedis, expectExactlyOnce };
}

/** The data directory a RedisProcess was started with (its AOF lives there). */
export function redisDir(redis: RedisProcess): string {
  const args = redis.child.spawnargs;
  const at = args.lastIndexOf('--dir');
  const dir = args[at + 1];
  if (at === -1 || dir === undefined) throw new Error('redis started without --dir');
  return dir;
}
