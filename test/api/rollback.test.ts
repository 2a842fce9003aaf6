import { PassThrough } from 'node:stream';
import { buildPushHook, sendWebhook } from '@ferry/doubles/gitlab';
import { isTerminalPipeline, type PipelineRecord } from '@ferry/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipelineAction } from '../../packages/server/src/cli/commands/actions.js';
import { eventually, startTestFerry, type TestFerry, testWebhookSecret } from '../support/ferry.js';

describe('roll back: POST /api/v1/pipelines/:id/rollback and ferry rollback', () => {
  let t: TestFerry;
  const token = 'deployer-token-0123456789';
  beforeAll(async () => {
    t = await startTestFerry({
      config: { auth: { tokens: [{ name: 'release-bot', token: { env: 'DEPLOYER' }, role: 'deployer' }] } },
      env: { DEPLOYER: token },
    });
  });
  afterAll(async () => t.close());

  const done = (id: string) =>
    eventually(async () => {
      const p = await t.ferry.ctx.store.get(id);
      return p !== undefined && isTerminalPipeline(p.status) ? p : undefined;
    });
  const post = (id: string) =>
    fetch(`${t.url}/api/v1/pipelines/${id}/rollback`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });

  async function deployedPipeline(): Promise<PipelineRecord> {
    const res = await sendWebhook(
      `${t.url}/webhooks/gitlab`,
      'Push Hook',
      buildPushHook({ branch: 'test', project: { id: 4242, pathWithNamespace: 'shop/rollback' } }),
      { token: testWebhookSecret },
    );
    const id = (res.json as { pipelineId: string }).pipelineId;
    await done(id);
    // The noop executor builds nothing: record the image a build stage would have pushed.
    const image = {
      reference: `127.0.0.1:5000/shop/rollback@sha256:${'a'.repeat(64)}`,
      digest: `sha256:${'a'.repeat(64)}`,
      tags: ['x'],
    };
    await t.ferry.ctx.store.patch(id, { image });
    return (await t.ferry.ctx.store.get(id))!;
  }

  it('deploys the image of a successful pipeline again, testing and building nothing', async () => {
    const source = await deployedPipeline();
    const res = await post(source.id);
    expect(res.status).toBe(201);
    const { pipelineId } = (await res.json()) as { pipelineId: string };
    const p = await done(pipelineId);
    expect(p).toMatchObject({
      status: 'success',
      trigger: 'rollback',
      rollbackOf: source.id,
      sha: source.sha,
      environment: source.environment,
      image: source.image,
      user: { username: 'release-bot' },
    });
    expect(p.stages.map((s) => `${s.name}:${s.status}`)).toEqual([
      'test:skipped',
      'build:skipped',
      'deploy:success',
    ]);
    expect(p.stages[0]?.reason).toBe(`rollback: deploys the image of pipeline ${source.id} again`);
  });

  it('refuses a pipeline that did not succeed or built no image, and needs a deployer', async () => {
    const source = await deployedPipeline();
    const noImage = await t.ferry.ctx.redis.hdel(`${t.prefix}:pipeline:${source.id}`, 'image');
    expect(noImage).toBe(1);
    const res = await post(source.id);
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: { code: 'FERRY_ERR_PIPELINE_NOT_ROLLBACKABLE' } });
    const anonymous = await fetch(`${t.url}/api/v1/pipelines/${source.id}/rollback`, { method: 'POST' });
    expect(anonymous.status).toBe(401);
  });

  it('ferry rollback --watch asks the server and follows the rollback pipeline to its end', async () => {
    const source = await deployedPipeline();
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => {
      text += c.toString();
    });
    const io = {
      env: { FERRY_TOKEN: token, FERRY_CLI_CONFIG: '/nonexistent/cli.json' },
      out,
      err: out,
      stdin: new PassThrough(),
      signal: new AbortController().signal,
    };
    // --watch follows the new pipeline to its end: exit 0 once it succeeded.
    const code = await pipelineAction(io, 'rollback', source.id, { server: t.url, watch: true });
    expect(code, text).toBe(0);
    const id = /^pipeline ([0-9a-z]+) queued \(rollback of /.exec(text)?.[1] as string;
    expect(text).toContain(`pipeline ${id}: success`);
    expect((await (await fetch(`${t.url}/api/v1/pipelines/${id}`)).json()) as PipelineRecord).toMatchObject({
      trigger: 'rollback',
      rollbackOf: source.id,
    });
    expect(await pipelineAction(io, 'rollback', 'zzzzzzzz', { server: t.url })).toBe(4);
    expect(text).toContain('FERRY_ERR_PIPELINE_NOT_FOUND');
  });
});
