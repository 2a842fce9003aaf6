import { buildPushHook, randomSha, sendWebhook } from '@ferry/doubles/gitlab';
import { createLogger, type PipelineRecord, type StageRecord } from '@ferry/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { nullObserver } from '../../packages/server/src/pipeline/observer.js';
import { runPipeline } from '../../packages/server/src/pipeline/run.js';
import { PipelineQueue, pipelineQueueName } from '../../packages/server/src/queue/pipeline-queue.js';
import { RedisPipelineStore } from '../../packages/server/src/store/redis/redis-pipeline-store.js';
import { finishedPipeline } from '../history/records.js';
import { eventually, startTestFerry, type TestFerry, testWebhookSecret } from '../support/ferry.js';
import { ScriptedRunner } from '../support/scripted-runner.js';
import { connectTestRedis } from '../support/services.js';
import { stageEnds } from '../support/stage-ends.js';

/**
 * Issue 12 (kill -9 of Redis with AOF): while Redis is away the worker cannot renew its jobs'
 * locks; Redis comes back from its AOF without them (their expiry passed), so BullMQ's stalled
 * check moves the job back to wait and the same worker takes it again while the first run of the
 * pipeline still goes on. That second delivery must wait for the first run, not run beside it:
 * side by side it saw the test stage `running`, destroyed the live runner and ran the stage again,
 * or skipped a stage the first run had skipped (each end stored twice).
 */
describe('a pipeline job delivered again while its pipeline still runs in this process', () => {
  let t: TestFerry | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('waits for the running pipeline: no stage runs or ends twice', async () => {
    const runner = new ScriptedRunner();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The test stage of the first delivery holds until the job was delivered again.
    runner.script = (req) => (req.stage === 'test' ? { during: () => gate } : {});
    t = await startTestFerry({
      runner,
      config: { limits: { lockDuration: '2s', recoveryInterval: '1s', drainTimeout: '5s' } },
    });
    const res = await sendWebhook(
      `${t.url}/webhooks/gitlab`,
      'Push Hook',
      buildPushHook({
        branch: 'test',
        after: randomSha(),
        project: { id: 41, pathWithNamespace: 'g/redeliver' },
      }),
      { token: testWebhookSecret },
    );
    expect(res.status).toBe(201);
    const id = (res.json as { pipelineId: string }).pipelineId;
    const { store, redis } = t.ferry.ctx;
    await eventually(async () => (runner.runs.some((r) => r.pipelineId === id) ? true : undefined));

    // What Redis's restart from its AOF leaves: the job active, its lock gone.
    const jobId = (await store.get(id))?.jobId ?? id;
    const lock = `${t.prefix}:bull:${pipelineQueueName}:${jobId}:lock`;
    expect(await redis.del(lock)).toBe(1);
    // BullMQ's stalled check moves it back to wait, and this worker (the only one) takes it again.
    await eventually(async () => {
      const again = await t!.ferry.ctx.queue.queue.getJob(jobId);
      return again !== undefined && again.stalledCounter >= 1 && (await again.getState()) === 'active'
        ? true
        : undefined;
    }, 30_000);
    release();

    const done = await eventually(async () => {
      const p = await store.get(id);
      return p?.status === 'success' ? p : undefined;
    }, 30_000);
    expect(done.stages.map((s) => `${s.name}:${s.status}:${s.attempts}`)).toEqual([
      'test:success:1',
      'build:success:1',
      'deploy:success:1',
    ]);
    expect(runner.runs.filter((r) => r.pipelineId === id).map((r) => r.stage)).toEqual([
      'test',
      'build',
      'deploy',
    ]);
    expect(await stageEnds(redis, t.prefix, id)).toEqual(['test:success', 'build:success', 'deploy:success']);
  }, 90_000);
});

describe('another replica resuming a pipeline from what is stored', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  });

  /** A running pipeline whose test stage (attempt 1) ended with `testEnd`; build and deploy pending. */
  async function resumable(testEnd: Pick<StageRecord, 'status' | 'reason'>) {
    const redis = await connectTestRedis();
    cleanups.push(() => redis.quit());
    const prefix = `rdj${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
    const store = new RedisPipelineStore(redis, { prefix });
    const queue = new PipelineQueue({ connection: redis.duplicate(), prefix: `${prefix}:bull` });
    cleanups.push(() => queue.close());
    const done = finishedPipeline();
    const record: PipelineRecord = {
      ...done,
      status: 'queued',
      stages: done.stages.map((s) => ({ name: s.name, status: 'pending', attempts: 0 })),
    };
    expect((await store.admit({ pipeline: record, dedupKey: record.id, supersede: false })).kind).toBe(
      'created',
    );
    expect(await store.transition(record.id, ['queued'], 'running', { startedAt: 'a' })).toBe(true);
    await store.putStage(record.id, { name: 'test', status: 'running', attempts: 1, startedAt: 'a' });
    expect(await store.endStage(record.id, { name: 'test', attempts: 1, startedAt: 'a', ...testEnd })).toBe(
      true,
    );
    const runner = new ScriptedRunner();
    const deps = {
      store,
      queue,
      runner,
      logger: createLogger({ level: 'silent', name: 'test' }),
      observer: nullObserver,
      stageTimeoutMs: async () => 60_000,
      approvalTimeoutMs: () => 60_000,
      stagesToRun: async () => ['test' as const],
    };
    return { redis, prefix, store, runner, deps, id: record.id };
  }

  it('two runs at once skip a stage the spec disables once: its end is stored once', async () => {
    const { redis, prefix, store, runner, deps, id } = await resumable({ status: 'success' });
    const signal = new AbortController().signal;
    await Promise.all([runPipeline(deps, id, signal), runPipeline(deps, id, signal)]);

    expect((await store.get(id))?.status).toBe('success');
    expect(runner.runs).toEqual([]);
    expect(await stageEnds(redis, prefix, id)).toEqual(['test:success', 'build:skipped', 'deploy:skipped']);
  });

  // The Ferry that ended the stage died before it ended the pipeline (issue 12's SIGSTOP game day:
  // a replica woken from a stall recorded its killed runner as the stage's end, then was gone; the
  // other resumed the pipeline, passed the ended stage and ended it `success`).
  it.each([
    ['failed', { status: 'failed', reason: 'exit code 137' }, 'stage test failed: exit code 137', 'skipped'],
    ['canceled', { status: 'canceled', reason: 'canceled' }, 'canceled', 'canceled'],
  ] as const)(
    'after a stage ended %s, ends the pipeline so, never success',
    async (_what, testEnd, reason, rest) => {
      const { redis, prefix, store, runner, deps, id } = await resumable(testEnd);
      await runPipeline(deps, id, new AbortController().signal);

      const ended = await store.get(id);
      expect(ended?.status).toBe(testEnd.status);
      expect(ended?.reason).toBe(reason);
      expect(runner.runs).toEqual([]);
      expect(await stageEnds(redis, prefix, id)).toEqual([
        `test:${testEnd.status}`,
        `build:${rest}`,
        `deploy:${rest}`,
      ]);
    },
  );
});
