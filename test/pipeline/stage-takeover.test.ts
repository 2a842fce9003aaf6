/**
 * Two replicas on one pipeline (issue 12, "two replicas with one killed"): BullMQ hands a job to
 * a second worker when the first one's lock expires, and a lock expires while its worker still
 * lives when that worker stalls (a long GC pause, a starved CPU, SIGSTOP). The first replica then
 * wakes up in the middle of a stage the second one has taken over. Real Redis store and log
 * store, the real stage runner and local executor; each replica has its own executor over one
 * work directory, as two Ferry processes on one host have. The stall is a pause at one step of
 * the first replica's real executor, released by the test. The stage script appends `start` and
 * `end` to a file: what it wrote says how often it ran to its end, whatever Ferry recorded.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type PipelineRecord, type StageRecord } from '@ferry/shared';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  Executor,
  LogSink,
  RunnerHandle,
  RunnerInfo,
  StageJob,
} from '../../packages/server/src/executors/executor.js';
import { LocalExecutor } from '../../packages/server/src/executors/local/index.js';
import { RedisLogStore } from '../../packages/server/src/logs/redis/redis-log-store.js';
import { nullObserver } from '../../packages/server/src/pipeline/observer.js';
import { type RunDeps, runPipeline } from '../../packages/server/src/pipeline/run.js';
import { PipelineQueue } from '../../packages/server/src/queue/pipeline-queue.js';
import { ExecutorStageRunner } from '../../packages/server/src/stages/executor-stage-runner.js';
import { RedisPipelineStore } from '../../packages/server/src/store/redis/redis-pipeline-store.js';
import { ensureRunnerBuilt } from '../executors/runner-build.js';
import { finishedPipeline } from '../history/records.js';
import { connectTestRedis } from '../support/services.js';
import { stageEnds } from '../support/stage-ends.js';

const logger = createLogger({ level: 'silent', name: 'test' });

/**
 * A replica that stalls at one step of its real executor (`prepare` or `start`) until the test
 * releases it: everything else is the real executor's.
 */
class StallingExecutor implements Executor {
  readonly kind: string;
  /** Resolves when the replica has reached the step it stalls at. */
  readonly reached: Promise<void>;
  #arrive!: () => void;
  #release!: () => void;
  readonly #released: Promise<void>;

  constructor(
    private readonly inner: Executor,
    private readonly at: 'prepare' | 'start',
  ) {
    this.kind = inner.kind;
    this.reached = new Promise((resolve) => {
      this.#arrive = resolve;
    });
    this.#released = new Promise((resolve) => {
      this.#release = resolve;
    });
  }

  release(): void {
    this.#release();
  }

  async #stall(step: 'prepare' | 'start'): Promise<void> {
    if (step !== this.at) return;
    this.#arrive();
    await this.#released;
  }

  async prepare(job: StageJob, signal: AbortSignal): Promise<RunnerHandle> {
    await this.#stall('prepare');
    return this.inner.prepare(job, signal);
  }
  async start(handle: RunnerHandle, signal: AbortSignal): Promise<void> {
    await this.#stall('start');
    return this.inner.start(handle, signal);
  }
  tail(handle: RunnerHandle, sink: LogSink, signal: AbortSignal) {
    return this.inner.tail(handle, sink, signal);
  }
  wait(handle: RunnerHandle, signal: AbortSignal) {
    return this.inner.wait(handle, signal);
  }
  cancel(handle: RunnerHandle, signal: AbortSignal) {
    return this.inner.cancel(handle, signal);
  }
  destroy(handle: RunnerHandle, signal: AbortSignal) {
    return this.inner.destroy(handle, signal);
  }
  adopt(handle: RunnerHandle, sink: LogSink, signal: AbortSignal) {
    return this.inner.adopt(handle, sink, signal);
  }
  list(signal: AbortSignal): Promise<RunnerInfo[]> {
    return this.inner.list(signal);
  }
}

describe('a stage taken over while its first replica still lives runs to its end once', () => {
  let redis: Redis;
  let workDir: string;
  let store: RedisPipelineStore;
  let logs: RedisLogStore;
  let queue: PipelineQueue;
  let prefix: string;

  beforeAll(async () => {
    await ensureRunnerBuilt();
    redis = await connectTestRedis();
    workDir = await mkdtemp(join(tmpdir(), 'ferry-takeover-'));
    prefix = `takeover${randomUUID().slice(0, 6)}`;
    store = new RedisPipelineStore(redis, { prefix });
    logs = new RedisLogStore(redis, { prefix, capBytes: 1 << 20 });
    queue = new PipelineQueue({ connection: redis, prefix });
  });
  afterAll(async () => {
    await queue?.close();
    redis?.disconnect();
    if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
  });

  /** One replica's dependencies: its own executor (over the shared work directory) and stage runner. */
  function replica(
    executor: Executor,
    marks: string,
    { scriptSeconds = 1, stageTimeoutMs = 60_000 } = {},
  ): RunDeps {
    const runner = new ExecutorStageRunner({
      executor,
      logs,
      logger,
      secrets: [],
      jobFor: async (request): Promise<StageJob> => ({
        pipelineId: request.pipeline.id,
        stage: request.stage,
        attempt: request.attempt,
        project: request.pipeline.project,
        ref: request.pipeline.ref,
        sha: request.pipeline.sha,
        image: 'unused-by-the-local-executor',
        script: [`echo start >> ${marks}`, `sleep ${scriptSeconds}`, `echo end >> ${marks}`],
        env: {},
        secretEnv: {},
        timeoutMs: 60_000,
        checkout: false,
      }),
    });
    return {
      store,
      queue,
      runner,
      logger,
      observer: nullObserver,
      stageTimeoutMs: async () => stageTimeoutMs,
      approvalTimeoutMs: () => 60_000,
      stagesToRun: async () => ['test'],
    };
  }

  async function admitted(): Promise<PipelineRecord> {
    const done = finishedPipeline({ id: `to${randomUUID().slice(0, 8)}` });
    const record: PipelineRecord = {
      ...done,
      status: 'queued',
      lane: `${done.id}:staging`,
      stages: done.stages.map((s): StageRecord => ({ name: s.name, status: 'pending', attempts: 0 })),
    };
    delete record.finishedAt;
    expect((await store.admit({ pipeline: record, dedupKey: record.id, supersede: false })).kind).toBe(
      'created',
    );
    return record;
  }

  const marksOf = async (file: string) =>
    (await readFile(file, 'utf8').catch(() => '')).split('\n').filter((l) => l !== '');

  it.each(['prepare', 'start'] as const)(
    'first replica stalled at %s: the second runs the stage, the first never starts its runner',
    async (at) => {
      const pipeline = await admitted();
      const marks = join(workDir, `${pipeline.id}.marks`);
      const stalled = new StallingExecutor(new LocalExecutor({ workDir, scriptVia: 'sh' }), at);
      const first = runPipeline(replica(stalled, marks), pipeline.id, new AbortController().signal);
      await stalled.reached;
      // The first replica holds attempt 1 of the test stage (its runner recorded when it stalls at start).
      const held = await store.get(pipeline.id);
      expect(held?.stages.find((s) => s.name === 'test')).toMatchObject({ status: 'running', attempts: 1 });
      expect(held?.stages.find((s) => s.name === 'test')?.runnerId === undefined).toBe(at === 'prepare');

      // Its lock expired: the second replica gets the job and runs the pipeline to its end.
      const second = replica(new LocalExecutor({ workDir, scriptVia: 'sh' }), marks);
      await runPipeline(second, pipeline.id, new AbortController().signal);
      const ended = await store.get(pipeline.id);
      expect(ended?.status).toBe('success');
      expect(ended?.stages.find((s) => s.name === 'test')).toMatchObject({ status: 'success', attempts: 2 });

      // The first replica wakes up in the middle of the stage it no longer holds.
      stalled.release();
      await first;
      // Its runner never ran: the script wrote one start and one end, the second replica's. (The
      // first replica's runner is destroyed, its process group killed, before `first` resolves.)
      expect(await marksOf(marks)).toEqual(['start', 'end']);
      const after = await store.get(pipeline.id);
      expect(after?.status).toBe('success');
      expect(after?.stages.find((s) => s.name === 'test')).toMatchObject({ status: 'success', attempts: 2 });
      expect((await stageEnds(redis, prefix, pipeline.id)).sort()).toEqual([
        'build:skipped',
        'deploy:skipped',
        'test:success',
      ]);
    },
    60_000,
  );

  it('a live runner adopted past its stage timeout: the attempt fails timed out and the runner is stopped', async () => {
    const pipeline = await admitted();
    const marks = join(workDir, `${pipeline.id}.marks`);
    const slow = { scriptSeconds: 30, stageTimeoutMs: 4_000 };
    // The first replica starts the stage's script, then "dies": nothing of it waits any more
    // (its run is left alone), while its runner goes on.
    const firstExecutor = new LocalExecutor({ workDir, scriptVia: 'sh' });
    const abandoned = runPipeline(
      { ...replica(firstExecutor, marks, { scriptSeconds: 30 }), stageTimeoutMs: async () => 600_000 },
      pipeline.id,
      new AbortController().signal,
    );
    const deadline = Date.now() + 30_000;
    while (!(await marksOf(marks)).includes('start')) {
      if (Date.now() > deadline) throw new Error('the first replica never started its script');
      await new Promise((r) => setTimeout(r, 50));
    }
    // The second replica follows the live runner, but only for what is left of the stage's 4 s.
    const second = replica(new LocalExecutor({ workDir, scriptVia: 'sh' }), marks, slow);
    await runPipeline(second, pipeline.id, new AbortController().signal);
    const ended = await store.get(pipeline.id);
    expect(ended?.status).toBe('failed');
    expect(ended?.stages.find((s) => s.name === 'test')).toMatchObject({
      status: 'failed',
      attempts: 1,
      reason: 'timed out after 4s',
    });
    // Its runner was destroyed with the end: the script never reached its end, nor ran again.
    await abandoned;
    expect(await marksOf(marks)).toEqual(['start']);
    expect((await stageEnds(redis, prefix, pipeline.id)).sort()).toEqual([
      'build:skipped',
      'deploy:skipped',
      'test:failed',
    ]);
  }, 60_000);

  it('two replicas resuming one pipeline at once claim each stage attempt once', async () => {
    const pipeline = await admitted();
    // Both find it running (its first worker died), so both resume it from its stored stages.
    expect(await store.transition(pipeline.id, ['queued'], 'running')).toBe(true);
    const marks = join(workDir, `${pipeline.id}.marks`);
    const replicas = [0, 1].map(() => replica(new LocalExecutor({ workDir, scriptVia: 'sh' }), marks));
    await Promise.all(replicas.map((deps) => runPipeline(deps, pipeline.id, new AbortController().signal)));
    expect(await marksOf(marks)).toEqual(['start', 'end']);
    const after = await store.get(pipeline.id);
    expect(after?.status).toBe('success');
    expect((await stageEnds(redis, prefix, pipeline.id)).sort()).toEqual([
      'build:skipped',
      'deploy:skipped',
      'test:success',
    ]);
  }, 60_000);
});
