import type { PipelineRecord } from '@ferry/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { StaticEnvironmentMap } from '../../packages/server/src/pipeline/environment-map.js';
import type { TestFerry } from '../support/ferry.js';
import { api, apiTokens, errorCode, pushPipeline, rule, startApiFerry, until } from './api-support.js';

const environments = new StaticEnvironmentMap([
  rule('test', 'test'),
  rule('prod', 'master', { priority: 1, approval: true }),
]);

describe('pipeline actions over the API', () => {
  let t: TestFerry | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('cancels a queued pipeline at once and a running one where it runs', async () => {
    // Stages take a minute: the first pipeline holds the lane, the second waits queued behind it.
    t = await startApiFerry({
      environments,
      config: { executor: { kind: 'noop', noop: { stageDuration: '60s' } } },
    });
    const running = await pushPipeline(t, { projectId: 21 });
    await until(t, running, ['running']);
    const queued = await pushPipeline(t, { projectId: 21 });
    expect((await t.ferry.ctx.store.get(queued))?.status).toBe('queued');

    const q = await api(t, 'POST', `/pipelines/${queued}/cancel`, { as: 'deployer' });
    expect(q.statusCode).toBe(200);
    expect(q.json()).toMatchObject({ id: queued, status: 'canceled', cancelRequested: true });
    expect((q.json() as PipelineRecord).reason).toContain(apiTokens.deployer.name);

    const r = await api(t, 'POST', `/pipelines/${running}/cancel`, { as: 'deployer' });
    expect(r.statusCode).toBe(202);
    expect(r.json()).toMatchObject({ id: running, cancelRequested: true });
    const ended = await until(t, running, ['canceled'], 10_000);
    expect(ended.stages[0]).toMatchObject({ name: 'test', status: 'canceled' });

    const again = await api(t, 'POST', `/pipelines/${running}/cancel`, { as: 'deployer' });
    expect([again.statusCode, errorCode(again)]).toEqual([409, 'FERRY_ERR_PIPELINE_NOT_CANCELABLE']);
  });

  it('retries a finished pipeline as a new one, trigger retry, by the caller', async () => {
    t = await startApiFerry({ environments });
    const first = await pushPipeline(t, { projectId: 22 });
    const done = await until(t, first, ['success']);

    const res = await api(t, 'POST', `/pipelines/${first}/retry`, { as: 'deployer' });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json() as { pipelineId: string; superseded: string[] };
    expect(body.pipelineId).not.toBe(first);
    expect(body.superseded).toEqual([]);
    expect(res.headers.location).toBe(`/api/v1/pipelines/${body.pipelineId}`);

    const retry = (await api(t, 'GET', `/pipelines/${body.pipelineId}`)).json() as PipelineRecord;
    expect(retry).toMatchObject({
      trigger: 'retry',
      retryOf: first,
      sha: done.sha,
      ref: done.ref,
      environment: done.environment,
      user: { username: apiTokens.deployer.name },
    });
    await until(t, body.pipelineId, ['success']);
    // A retry of a retry is a third pipeline: retries are never deduplicated away.
    const third = await api(t, 'POST', `/pipelines/${first}/retry`, { as: 'admin' });
    expect(third.statusCode).toBe(201);
    expect((third.json() as { pipelineId: string }).pipelineId).not.toBe(body.pipelineId);
  });

  it('refuses to retry a pipeline that has not finished', async () => {
    t = await startApiFerry({ environments, worker: false });
    const id = await pushPipeline(t, { projectId: 23 });
    const res = await api(t, 'POST', `/pipelines/${id}/retry`, { as: 'deployer' });
    expect([res.statusCode, errorCode(res)]).toEqual([409, 'FERRY_ERR_PIPELINE_NOT_RETRYABLE']);
  });

  it('approves a deploy waiting for approval, recording who, and the pipeline goes on', async () => {
    t = await startApiFerry({ environments });
    const id = await pushPipeline(t, { projectId: 24, branch: 'master' });
    // Test and build run, then the pipeline waits before deploying (no stage runs meanwhile).
    const waiting = await until(t, id, ['waiting_approval']);
    expect(waiting.stages.map((s) => s.status)).toEqual(['success', 'success', 'pending']);
    const viewer = await api(t, 'POST', `/pipelines/${id}/approve`, { as: 'viewer' });
    expect([viewer.statusCode, errorCode(viewer)]).toEqual([403, 'FERRY_ERR_API_FORBIDDEN']);
    const res = await api(t, 'POST', `/pipelines/${id}/approve`, { as: 'deployer' });
    expect(res.statusCode, res.body).toBe(200);
    expect((res.json() as PipelineRecord).approval).toMatchObject({
      required: true,
      approvedBy: apiTokens.deployer.name,
      approvedAt: expect.any(String),
    });
    const done = await until(t, id, ['success', 'failed']);
    expect(done.status).toBe('success');
    expect(done.approval?.approvedBy).toBe(apiTokens.deployer.name);

    const twice = await api(t, 'POST', `/pipelines/${id}/approve`, { as: 'deployer' });
    expect([twice.statusCode, errorCode(twice)]).toEqual([409, 'FERRY_ERR_PIPELINE_NOT_WAITING_APPROVAL']);
  });

  it('refuses to approve a pipeline whose environment needs no approval', async () => {
    t = await startApiFerry({ environments, worker: false });
    const id = await pushPipeline(t, { projectId: 25, branch: 'test' });
    const res = await api(t, 'POST', `/pipelines/${id}/approve`, { as: 'deployer' });
    expect([res.statusCode, errorCode(res)]).toEqual([409, 'FERRY_ERR_PIPELINE_NOT_WAITING_APPROVAL']);
  });
});
