import { randomSha } from '@ferry/doubles/gitlab';
import type { PipelineRecord } from '@ferry/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaticEnvironmentMap } from '../../packages/server/src/pipeline/environment-map.js';
import type { TestFerry } from '../support/ferry.js';
import { api, apiTokens, errorCode, pushPipeline, rule, startApiFerry } from './api-support.js';

describe('POST /api/v1/pipelines (manual trigger)', () => {
  let t: TestFerry;
  const older = randomSha();
  const head = randomSha();

  beforeAll(async () => {
    t = await startApiFerry({
      worker: false,
      environments: new StaticEnvironmentMap([
        rule('test', 'test'),
        rule('staging', 'staging'),
        rule('prod', 'master', { priority: 1 }),
      ]),
    });
    // Ferry learns the project, and the head of `test`, from its webhooks.
    await pushPipeline(t, { projectId: 31, path: 'team/delta', branch: 'test', sha: older });
    await pushPipeline(t, { projectId: 31, path: 'team/delta', branch: 'test', sha: head });
  });
  afterAll(async () => t.close());

  async function trigger(payload: unknown, as: 'deployer' | 'admin' = 'deployer') {
    const res = await api(t, 'POST', '/pipelines', { as, payload });
    return res;
  }
  async function pipeline(id: string): Promise<PipelineRecord> {
    return (await api(t, 'GET', `/pipelines/${id}`)).json() as PipelineRecord;
  }

  it('runs the last head Ferry saw when no sha is given', async () => {
    const res = await trigger({ project: 'team/delta', ref: 'test' });
    expect(res.statusCode, res.body).toBe(201);
    const { pipelineId } = res.json() as { pipelineId: string };
    expect(res.headers.location).toBe(`/api/v1/pipelines/${pipelineId}`);
    expect(await pipeline(pipelineId)).toMatchObject({
      trigger: 'manual',
      sha: head,
      ref: 'test',
      environment: 'test',
      project: { id: 31, path: 'team/delta' },
      user: { username: apiTokens.deployer.name },
      status: 'queued',
    });
  });

  it('runs the given sha, with the project named by id', async () => {
    const res = await trigger({ project: '31', ref: 'test', sha: older }, 'admin');
    expect(res.statusCode, res.body).toBe(201);
    const p = await pipeline((res.json() as { pipelineId: string }).pipelineId);
    expect(p).toMatchObject({ sha: older, trigger: 'manual', user: { username: apiTokens.admin.name } });
  });

  it('creates a new pipeline on every trigger, even for a commit that already ran', async () => {
    const a = await trigger({ project: 'team/delta', ref: 'test', sha: head });
    const b = await trigger({ project: 'team/delta', ref: 'test', sha: head });
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    expect((a.json() as { pipelineId: string }).pipelineId).not.toBe(
      (b.json() as { pipelineId: string }).pipelineId,
    );
  });

  it('answers 404 for a project Ferry has never had a webhook from', async () => {
    const res = await trigger({ project: 'team/unknown', ref: 'test' });
    expect([res.statusCode, errorCode(res)]).toEqual([404, 'FERRY_ERR_PROJECT_UNKNOWN']);
    const byId = await trigger({ project: '999999', ref: 'test' });
    expect([byId.statusCode, errorCode(byId)]).toEqual([404, 'FERRY_ERR_PROJECT_UNKNOWN']);
  });

  it('answers 422 for a branch that is not an environment branch', async () => {
    for (const ref of ['feature/login', 'test$(touch /tmp/x)', 'refs/heads/test']) {
      const res = await trigger({ project: 'team/delta', ref });
      expect([res.statusCode, errorCode(res)]).toEqual([422, 'FERRY_ERR_REF_NOT_ENVIRONMENT']);
    }
  });

  it('answers 422 when no sha is given and Ferry has seen no commit on that branch', async () => {
    const res = await trigger({ project: 'team/delta', ref: 'staging' });
    expect([res.statusCode, errorCode(res)]).toEqual([422, 'FERRY_ERR_SHA_UNKNOWN']);
    const given = await trigger({ project: 'team/delta', ref: 'staging', sha: randomSha() });
    expect(given.statusCode).toBe(201);
  });
});
