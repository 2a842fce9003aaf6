import { buildPushHook, randomSha, sendWebhook } from '@ferry/doubles/gitlab';
import type { PipelineRecord, PipelineStatus } from '@ferry/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { approvePipeline, cancelPipeline } from '../../packages/server/src/pipeline/actions.js';
import { StaticEnvironmentMap } from '../../packages/server/src/pipeline/environment-map.js';
import {
  eventually,
  type StartTestFerryOptions,
  startTestFerry,
  type TestFerry,
  testWebhookSecret,
} from '../support/ferry.js';
import { ScriptedRunner } from '../support/scripted-runner.js';

const envs = (opts: { supersede?: boolean; approval?: boolean } = {}) =>
  new StaticEnvironmentMap([
    {
      environment: 'test',
      branch: 'test',
      supersede: opts.supersede ?? false,
      priority: 10,
      approval: false,
    },
    {
      environment: 'prod',
      branch: 'master',
      supersede: false,
      priority: 1,
      approval: opts.approval ?? false,
    },
  ]);

describe('pipeline orchestration', () => {
  let t: TestFerry | undefined;
  let runner: ScriptedRunner;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  async function start(options: StartTestFerryOptions = {}) {
    runner = new ScriptedRunner();
    t = await startTestFerry({ runner, environments: envs(), ...options });
    return t;
  }

  async function push(projectId: number, branch = 'test', sha = randomSha()): Promise<string> {
    const res = await sendWebhook(
      `${t!.url}/webhooks/gitlab`,
      'Push Hook',
      buildPushHook({ branch, after: sha, project: { id: projectId, pathWithNamespace: `g/p${projectId}` } }),
      { token: testWebhookSecret },
    );
    expect(res.status).toBe(201);
    return (res.json as { pipelineId: string }).pipelineId;
  }

  const get = (id: string) => t!.ferry.ctx.store.get(id);
  const until = (id: string, statuses: PipelineStatus[], ms = 15_000) =>
    eventually(async () => {
      const p = await get(id);
      return p !== undefined && statuses.includes(p.status) ? p : undefined;
    }, ms);
  const stageStates = (p: PipelineRecord) => p.stages.map((s) => `${s.name}:${s.status}`);

  it('runs test, build, deploy in order and records every transition', async () => {
    await start();
    const id = await push(1);
    const done = await until(id, ['success']);
    expect(stageStates(done)).toEqual(['test:success', 'build:success', 'deploy:success']);
    expect(runner.runs.filter((r) => r.pipelineId === id).map((r) => r.stage)).toEqual([
      'test',
      'build',
      'deploy',
    ]);
    expect(done.startedAt).toBeDefined();
    expect(done.finishedAt).toBeDefined();
    for (const stage of done.stages)
      expect(stage).toMatchObject({ attempts: 1, startedAt: expect.any(String) });
    const events = await t!.ferry.ctx.redis.xrange(`${t!.prefix}:events`, '-', '+');
    const mine = events.map(([, f]) => f).filter((f) => f[3] === id);
    expect(mine.map((f) => (f[1] === 'stage' ? `${f[5]}:${f[7]}` : f[5]))).toEqual([
      'queued',
      'running',
      'test:running',
      'test:running',
      'test:success',
      'build:running',
      'build:running',
      'build:success',
      'deploy:running',
      'deploy:running',
      'deploy:success',
      'success',
    ]);
  });

  it('stops at the first failed stage: nothing is built after a failing test', async () => {
    await start();
    runner.script = (req) => (req.stage === 'test' ? { outcome: 'failed', reason: 'exit code 1' } : {});
    const id = await push(2);
    const done = await until(id, ['failed']);
    expect(stageStates(done)).toEqual(['test:failed', 'build:skipped', 'deploy:skipped']);
    expect(done.reason).toBe('stage test failed: exit code 1');
    expect(runner.runs.filter((r) => r.pipelineId === id).map((r) => r.stage)).toEqual(['test']);
  });

  it('fails a stage that runs past its timeout', async () => {
    await start({ config: { pipelines: { stageTimeout: { test: '200ms' } } } });
    runner.script = (req) => (req.stage === 'test' ? { ms: 5_000 } : {});
    const id = await push(3);
    const done = await until(id, ['failed']);
    expect(done.stages[0]).toMatchObject({ status: 'failed', reason: 'timed out after 200ms' });
  });

  it('cancels a running pipeline: the stage is aborted and the rest canceled', async () => {
    await start();
    runner.script = () => ({ ms: 30_000 });
    const id = await push(4);
    await eventually(async () => ((await get(id))?.stages[0]?.status === 'running' ? true : undefined));
    await cancelPipeline(t!.ferry.ctx, id, 'alice');
    const done = await until(id, ['canceled'], 5_000);
    expect(stageStates(done)).toEqual(['test:canceled', 'build:canceled', 'deploy:canceled']);
    expect(runner.runs.find((r) => r.pipelineId === id)?.result).toBe('aborted');
  });

  it('cancels a queued pipeline at once, and refuses to cancel a finished one', async () => {
    await start();
    runner.script = () => ({ ms: 400 });
    const first = await push(5);
    const second = await push(5);
    expect((await get(second))?.status).toBe('queued');
    const canceled = await cancelPipeline(t!.ferry.ctx, second, 'bob');
    expect(canceled.status).toBe('canceled');
    await until(first, ['success']);
    await expect(cancelPipeline(t!.ferry.ctx, first, 'bob')).rejects.toMatchObject({
      code: 'FERRY_ERR_PIPELINE_NOT_CANCELABLE',
    });
    expect(runner.runs.some((r) => r.pipelineId === second)).toBe(false);
  });

  it('runs one pipeline at a time per project and environment, and others in parallel', async () => {
    await start({ config: { limits: { concurrency: 4 } } });
    runner.script = () => ({ ms: 60 });
    const ids = [await push(6), await push(6), await push(6), await push(7), await push(7)];
    for (const id of ids) await until(id, ['success']);
    expect(runner.laneOverlap()).toBe(false);
    const lanes = new Map(runner.runs.map((r) => [r.pipelineId, r]));
    const p6 = runner.runs.filter((r) => r.lane.startsWith('6:'));
    const p7 = runner.runs.filter((r) => r.lane.startsWith('7:'));
    expect(lanes.size).toBe(5);
    // Different lanes did overlap: the lane limit is not a global one.
    expect(p6.some((a) => p7.some((b) => a.start < (b.end ?? 0) && b.start < (a.end ?? 0)))).toBe(true);
  });

  it('lets a newer pipeline supersede older ones still waiting in the lane', async () => {
    await start({ environments: envs({ supersede: true }) });
    runner.script = () => ({ ms: 300 });
    const running = await push(8);
    await until(running, ['running']);
    const older = await push(8);
    const newer = await push(8);
    const skipped = await until(older, ['skipped']);
    expect(skipped.reason).toBe(`superseded by pipeline ${newer}`);
    expect(stageStates(skipped)).toEqual(['test:skipped', 'build:skipped', 'deploy:skipped']);
    await until(running, ['success']);
    await until(newer, ['success']);
  });

  it('waits for approval before deploy, and deploys once a deployer approves', async () => {
    await start({ environments: envs({ approval: true }) });
    const id = await push(9, 'master');
    const waiting = await until(id, ['waiting_approval']);
    expect(stageStates(waiting)).toEqual(['test:success', 'build:success', 'deploy:pending']);
    expect(waiting.approval?.deadline).toBeDefined();
    // The lane stays held: a second prod pipeline waits behind the approval.
    const next = await push(9, 'master');
    expect((await get(next))?.status).toBe('queued');
    await approvePipeline(t!.ferry.ctx, id, 'lead');
    const done = await until(id, ['success']);
    expect(done.approval).toMatchObject({ approvedBy: 'lead' });
    await until(next, ['waiting_approval']);
  });

  it('fails a deploy nobody approves in time', async () => {
    await start({
      environments: envs({ approval: true }),
      config: { pipelines: { approvalTimeout: '300ms' } },
    });
    const id = await push(10, 'master');
    const done = await until(id, ['failed'], 10_000);
    expect(done.reason).toBe('nobody approved the deploy to prod in time');
    expect(stageStates(done)).toEqual(['test:success', 'build:success', 'deploy:skipped']);
  });

  it('runs production before test merges that were queued first', async () => {
    await start({ config: { limits: { concurrency: 1 } } });
    runner.script = (req) => ({ ms: req.pipeline.project.id === 11 ? 300 : 10 });
    const blocker = await push(11);
    await until(blocker, ['running']);
    const testIds = [await push(12), await push(13), await push(14)];
    const prod = await push(15, 'master');
    for (const id of [...testIds, prod]) await until(id, ['success']);
    const order = runner.runs.filter((r) => r.stage === 'test').map((r) => r.pipelineId);
    expect(order.indexOf(prod)).toBe(1);
  });
});
