/**
 * The server's side of the runner contract through the real stage runner, the real local executor
 * and the real Redis log store: what a runner prints on stdout decides what is recorded and how
 * the stage ends. The "runners" here are scripts that print what a runner image prints, among
 * them the line of a runner image from before contract versions (the unversioned format the
 * runner wrote until 0.1.0: `::ferry-result::` and the bare result object).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createLogger,
  formatResultLine,
  RUNNER_CONTRACT_VERSION,
  type RunnerResult,
  type StageName,
} from '@ferry/shared';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StageJob } from '../../packages/server/src/executors/executor.js';
import { LocalExecutor } from '../../packages/server/src/executors/local/index.js';
import { RedisLogStore } from '../../packages/server/src/logs/redis/redis-log-store.js';
import { ExecutorStageRunner } from '../../packages/server/src/stages/executor-stage-runner.js';
import { ensureRunnerBuilt } from '../executors/runner-build.js';
import { finishedPipeline } from '../history/records.js';
import { connectTestRedis } from '../support/services.js';

const built = {
  image: 'registry.test/shop/orders:abc',
  digest: `sha256:${'ab'.repeat(32)}`,
  reference: `registry.test/shop/orders@sha256:${'ab'.repeat(32)}`,
  tags: ['registry.test/shop/orders:abc'],
};

/** A script line printing `text` as is (single-quoted for sh). */
const print = (text: string) => `printf '%s\\n' '${text.replace(/'/g, `'\\''`)}'`;

describe('the result line through the executor stage runner', () => {
  let redis: Redis;
  let workDir: string;
  let logs: RedisLogStore;

  beforeAll(async () => {
    await ensureRunnerBuilt();
    redis = await connectTestRedis();
    workDir = await mkdtemp(join(tmpdir(), 'ferry-contract-'));
    logs = new RedisLogStore(redis, { prefix: `contract${randomUUID().slice(0, 6)}`, capBytes: 1 << 20 });
  });
  afterAll(async () => {
    redis?.disconnect();
    if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
  });

  async function runStage(stage: StageName, script: string[], exitCode = 0) {
    const pipeline = finishedPipeline();
    const printed: RunnerResult[] = [];
    const runner = new ExecutorStageRunner({
      executor: new LocalExecutor({ workDir, scriptVia: 'sh' }),
      logs,
      logger: createLogger({ level: 'silent' }),
      secrets: [],
      jobFor: async (): Promise<StageJob> => ({
        pipelineId: pipeline.id,
        stage,
        attempt: 1,
        project: pipeline.project,
        ref: pipeline.ref,
        sha: pipeline.sha,
        image: 'unused-by-the-local-executor',
        script: exitCode === 0 ? script : [...script, `exit ${exitCode}`],
        env: {},
        secretEnv: {},
        timeoutMs: 30_000,
        checkout: false,
      }),
      onResult: async (_request, result) => {
        printed.push(result);
      },
      reasonFor: (_request, { result }) =>
        'error' in result ? `${result.error.code}: ${result.error.message}` : undefined,
    });
    const outcome = await runner.run({
      pipeline,
      stage,
      attempt: 1,
      signal: new AbortController().signal,
      onStarted: async () => {},
    });
    const log = await logs.read(pipeline.id, stage);
    return { outcome, printed, log: log.lines.map((l) => l.x).join('\n') };
  }

  it('records a build result of this contract version', async () => {
    const run = await runStage('build', ['echo building', print(formatResultLine('build', built).trimEnd())]);
    expect(run.outcome).toEqual({ status: 'success' });
    expect(run.printed).toEqual([{ kind: 'build', result: built }]);
  });

  it('fails a build whose runner image predates contract versions, and says so', async () => {
    const run = await runStage('build', [print(`::ferry-result::${JSON.stringify(built)}`)]);
    expect(run.printed).toEqual([]);
    expect(run.outcome.status).toBe('failed');
    expect(run.outcome.reason).toMatch(
      new RegExp(
        `^FERRY_ERR_RUNNER_CONTRACT_MISMATCH: The runner image speaks runner contract version none \\(a runner image from before contract versions\\), this Ferry server speaks ${RUNNER_CONTRACT_VERSION};`,
      ),
    );
    expect(run.log).toContain('FERRY_ERR_RUNNER_CONTRACT_MISMATCH');
  });

  it('fails a deploy whose runner speaks a newer version, naming both', async () => {
    const line = `::ferry-result::${JSON.stringify({ contract: RUNNER_CONTRACT_VERSION + 1, deployed: 'x' })}`;
    const run = await runStage('deploy', [print(line)]);
    expect(run.outcome.status).toBe('failed');
    expect(run.outcome.reason).toContain(
      `version ${RUNNER_CONTRACT_VERSION + 1}, this Ferry server speaks ${RUNNER_CONTRACT_VERSION}`,
    );
  });

  it('fails a build whose result line breaks the schema, naming the field', async () => {
    const line = `::ferry-result::${JSON.stringify({ contract: RUNNER_CONTRACT_VERSION, ...built, digest: 7 })}`;
    const run = await runStage('build', [print(line)]);
    expect(run.outcome.status).toBe('failed');
    expect(run.outcome.reason).toMatch(/^FERRY_ERR_RUNNER_RESULT_INVALID: .*digest/);
    expect(run.printed).toEqual([]);
  });

  it('takes a failed deploy’s reason from its result', async () => {
    const failure = {
      error: { code: 'FERRY_ERR_RELEASE_ROLLOUT_FAILED', message: 'rolled back' },
      rolledBackTo: 'c0ffee',
      previous: null,
    };
    const run = await runStage('deploy', [print(formatResultLine('deploy', failure).trimEnd())], 1);
    expect(run.outcome).toEqual({
      status: 'failed',
      reason: 'FERRY_ERR_RELEASE_ROLLOUT_FAILED: rolled back',
    });
    expect(run.printed).toEqual([{ kind: 'deploy', result: failure }]);
  });

  it('never reads a result from a test stage (its script is the project’s, not the runner)', async () => {
    const run = await runStage('test', [print(`::ferry-result::${JSON.stringify(built)}`)]);
    expect(run.outcome).toEqual({ status: 'success' });
    expect(run.printed).toEqual([]);
  });
});
