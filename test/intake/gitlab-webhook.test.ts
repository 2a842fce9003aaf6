import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import {
  buildMergeRequestHook,
  buildPushHook,
  loadGitLabFixture,
  randomSha,
  sendWebhook,
} from '@ferry/doubles/gitlab';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaticEnvironmentMap } from '../../packages/server/src/pipeline/environment-map.js';
import { startTestFerry, type TestFerry, testWebhookSecret } from '../support/ferry.js';

const hostileBranch = 'test$(touch /tmp/ferry-pwned)';

describe('POST /webhooks/gitlab', () => {
  let t: TestFerry;
  let hook: string;
  const send = (
    event: Parameters<typeof sendWebhook>[1],
    payload: Parameters<typeof sendWebhook>[2],
    opts = {},
  ) => sendWebhook(hook, event, payload, { token: testWebhookSecret, ...opts });

  beforeAll(async () => {
    t = await startTestFerry({
      worker: false,
      config: {
        server: { bodyLimitBytes: 262_144 },
        gitlab: {
          projects: {
            'secure/app': { id: 3002, webhookSecret: { env: 'APP_HOOK' } },
            '3103': { webhookSecret: { env: 'OTHER_HOOK' } },
          },
        },
      },
      env: { APP_HOOK: 'project-own-secret', OTHER_HOOK: 'other-project-secret' },
      environments: new StaticEnvironmentMap([
        { environment: 'test', branch: 'test', supersede: false, priority: 10, approval: false },
        { environment: 'prod', branch: 'master', supersede: false, priority: 1, approval: true },
        { environment: 'odd', branch: hostileBranch, supersede: false, priority: 10, approval: false },
      ]),
    });
    hook = `${t.url}/webhooks/gitlab`;
  });
  afterAll(async () => t.close());

  const store = () => t.ferry.ctx.store;
  const project = (id: number) => ({ id, pathWithNamespace: `shop/svc-${id}` });

  it('turns a push to an environment branch into one queued pipeline for checkout_sha', async () => {
    const payload = loadGitLabFixture('push-merge-to-test');
    const res = await send('Push Hook', payload);
    expect(res.status).toBe(201);
    const { pipelineId } = res.json as { pipelineId: string };
    const pipeline = await store().get(pipelineId);
    expect(pipeline).toMatchObject({
      status: 'queued',
      environment: 'test',
      ref: 'test',
      sha: payload.checkout_sha,
      trigger: 'push',
      project: { id: payload.project.id, path: payload.project.path_with_namespace },
      user: { username: payload.user_username },
    });
    expect(pipeline?.stages.map((s) => [s.name, s.status])).toEqual([
      ['test', 'pending'],
      ['build', 'pending'],
      ['deploy', 'pending'],
    ]);
    expect(await t.ferry.ctx.queue.queue.getJob(pipelineId)).toBeDefined();
  });

  it.each([
    ['merge request first', true],
    ['push first', false],
  ])('makes one pipeline of a merge whichever hook arrives first (%s)', async (_name, mrFirst) => {
    const sha = randomSha();
    const p = project(1000 + (mrFirst ? 1 : 2));
    const push = buildPushHook({ branch: 'test', after: sha, project: p, user: { username: 'pusher' } });
    const mr = buildMergeRequestHook({
      action: 'merge',
      targetBranch: 'test',
      sourceBranch: 'feature/x',
      mergeCommitSha: sha,
      iid: 77,
      title: 'Add refunds',
      project: p,
      user: { username: 'merger', name: 'Mer Ger' },
    });
    const [first, second] = mrFirst
      ? [await send('Merge Request Hook', mr), await send('Push Hook', push)]
      : [await send('Push Hook', push), await send('Merge Request Hook', mr)];
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    const a = first.json as { pipelineId: string };
    const b = second.json as { pipelineId: string; result: string };
    expect(b).toMatchObject({ result: 'duplicate', pipelineId: a.pipelineId });
    const pipeline = await store().get(a.pipelineId);
    expect(pipeline).toMatchObject({
      trigger: 'merge',
      sha,
      user: { username: 'merger' },
      mergeRequest: { iid: 77, title: 'Add refunds', sourceBranch: 'feature/x' },
    });
    const page = await store().list({ projectId: p.id }, 10);
    expect(page.items).toHaveLength(1);
  });

  it('answers a redelivery (same Idempotency-Key) with the first answer and creates nothing', async () => {
    const payload = buildPushHook({ branch: 'test', project: project(2001) });
    const key = randomUUID();
    const first = await send('Push Hook', payload, { idempotencyKey: key });
    const again = await send('Push Hook', payload, { idempotencyKey: key });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json).toMatchObject({
      result: 'created',
      pipelineId: (first.json as { pipelineId: string }).pipelineId,
    });
    expect((await store().list({ projectId: 2001 }, 10)).items).toHaveLength(1);
  });

  it('without an Idempotency-Key, knows a retry by its event UUID and body, whatever its webhook UUID', async () => {
    const payload = buildPushHook({ branch: 'test', project: project(2002) });
    const eventUuid = randomUUID();
    // GitLab draws a new X-Gitlab-Webhook-UUID for every request (WebHookService#build_headers).
    const first = await sendWebhook(hook, 'Push Hook', payload, {
      token: testWebhookSecret,
      eventUuid,
      idempotencyKey: '',
    });
    const again = await sendWebhook(hook, 'Push Hook', payload, {
      token: testWebhookSecret,
      eventUuid,
      idempotencyKey: '',
    });
    expect(first.webhookUuid).not.toBe(again.webhookUuid);
    expect(first.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    // Another hook of the same event (same event UUID, another body) is not a retry.
    const other = buildPushHook({ branch: 'test', project: project(2002), after: randomSha() });
    const otherAnswer = await sendWebhook(hook, 'Push Hook', other, {
      token: testWebhookSecret,
      eventUuid,
      idempotencyKey: '',
    });
    expect(otherAnswer.status).toBe(201);
    expect(otherAnswer.headers['idempotent-replayed']).toBeUndefined();
  });

  it.each([
    ['branch deletion', 'Push Hook', () => loadGitLabFixture('push-branch-deleted'), /deleted/],
    ['tag push', 'Tag Push Hook', () => loadGitLabFixture('tag-push'), /tag/],
    [
      'non-environment branch',
      'Push Hook',
      () => loadGitLabFixture('push-feature-branch'),
      /not an environment branch/,
    ],
    [
      'merge request update without new commits',
      'Merge Request Hook',
      () => buildMergeRequestHook({ action: 'update', targetBranch: 'test' }),
      /without new commits/,
    ],
    [
      'merge request approval',
      'Merge Request Hook',
      () => buildMergeRequestHook({ action: 'approved', targetBranch: 'test' }),
      /starts nothing/,
    ],
    [
      'push delivered by an instance system hook',
      'System Hook',
      () => buildPushHook({ branch: 'test', project: project(3050) }),
      /X-Gitlab-Event System Hook.*starts nothing/,
    ],
    [
      'other event kind',
      'Pipeline Hook',
      () => loadGitLabFixture('pipeline-external'),
      /does not start pipelines/,
    ],
  ] as const)('ignores a %s with 200 and the reason', async (_name, event, payload, reason) => {
    const res = await send(event, payload() as Parameters<typeof sendWebhook>[2]);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ result: 'ignored' });
    expect((res.json as { reason: string }).reason).toMatch(reason);
  });

  it('refuses a missing or wrong token with 401 and a stable code, before reading the body', async () => {
    const payload = buildPushHook({ branch: 'test', project: project(3001) });
    const none = await sendWebhook(hook, 'Push Hook', payload, {});
    const wrong = await sendWebhook(hook, 'Push Hook', payload, { token: 'nope' });
    for (const res of [none, wrong]) {
      expect(res.status).toBe(401);
      expect(res.json).toMatchObject({ error: { code: 'FERRY_ERR_WEBHOOK_UNAUTHORIZED' } });
    }
    expect((await store().list({ projectId: 3001 }, 10)).items).toHaveLength(0);
  });

  it("checks a project's own secret instead of the global one", async () => {
    const payload = buildPushHook({ branch: 'test', project: { id: 3002, pathWithNamespace: 'secure/app' } });
    expect((await sendWebhook(hook, 'Push Hook', payload, { token: testWebhookSecret })).status).toBe(401);
    expect((await sendWebhook(hook, 'Push Hook', payload, { token: 'project-own-secret' })).status).toBe(201);
  });

  it("binds a project's secret to its id: A's secret with B's id, or A's path with B's id, starts nothing for B", async () => {
    const bId = 3103;
    const b = await sendWebhook(
      hook,
      'Push Hook',
      buildPushHook({ branch: 'test', project: { id: bId, pathWithNamespace: 'other/b' } }),
      { token: 'other-project-secret' },
    );
    expect(b.status).toBe(201);
    // A's secret, B's id, a path nobody configured: B's own secret is the one checked.
    const aSecretBId = await sendWebhook(
      hook,
      'Push Hook',
      buildPushHook({ branch: 'test', project: { id: bId, pathWithNamespace: 'unknown/x' } }),
      { token: 'project-own-secret' },
    );
    expect(aSecretBId.status).toBe(401);
    expect(aSecretBId.json).toMatchObject({ error: { code: 'FERRY_ERR_WEBHOOK_UNAUTHORIZED' } });
    // A's secret and A's path with B's id: the path belongs to another id.
    const aPathBId = await sendWebhook(
      hook,
      'Push Hook',
      buildPushHook({ branch: 'test', project: { id: bId, pathWithNamespace: 'secure/app' } }),
      { token: 'project-own-secret' },
    );
    expect(aPathBId.status).toBe(403);
    expect(aPathBId.json).toMatchObject({ error: { code: 'FERRY_ERR_WEBHOOK_PROJECT_MISMATCH' } });
    // A's id under another path, with A's secret: refused too (the configured path is A's).
    const aIdOtherPath = await sendWebhook(
      hook,
      'Push Hook',
      buildPushHook({ branch: 'test', project: { id: 3002, pathWithNamespace: 'secure/renamed' } }),
      { token: 'project-own-secret' },
    );
    expect(aIdOtherPath.status).toBe(403);
    const bPipelines = await store().list({ projectId: bId }, 10);
    expect(bPipelines.items.map((p) => p.id)).toEqual([(b.json as { pipelineId: string }).pipelineId]);
  });

  it.each([
    [
      'a non-JSON content type',
      { contentType: 'text/plain', rawBody: 'hello' },
      415,
      'FERRY_ERR_WEBHOOK_NOT_JSON',
    ],
    ['malformed JSON', { rawBody: '{"object_kind": "push",' }, 400, 'FERRY_ERR_WEBHOOK_MALFORMED_JSON'],
    [
      'a body over the limit',
      { rawBody: JSON.stringify({ pad: 'x'.repeat(300_000) }) },
      413,
      'FERRY_ERR_HTTP_BODY_TOO_LARGE',
    ],
    ['a JSON array', { rawBody: '[]' }, 400, 'FERRY_ERR_WEBHOOK_INVALID_PAYLOAD'],
  ])('refuses %s', async (_name, opts, status, code) => {
    const res = await send('Push Hook', buildPushHook({ branch: 'test' }), opts);
    expect(res.status).toBe(status);
    expect(res.json).toMatchObject({ error: { code } });
  });

  it('names the missing field of an incomplete payload', async () => {
    const payload = buildPushHook({ branch: 'test', project: project(3003) }) as unknown as Record<
      string,
      unknown
    >;
    const { project: _gone, ...rest } = payload;
    const res = await send('Push Hook', rest as unknown as Parameters<typeof sendWebhook>[2]);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: { code: 'FERRY_ERR_WEBHOOK_INVALID_PAYLOAD' } });
    expect((res.json as { error: { message: string } }).error.message).toContain('project');
    const badSha = await send('Push Hook', { ...payload, checkout_sha: 'not-a-sha' } as unknown as Parameters<
      typeof sendWebhook
    >[2]);
    expect(badSha.status).toBe(400);
    expect((badSha.json as { error: { message: string } }).error.message).toContain('checkout_sha');
  });

  it('stores hostile branch names and titles as data, never running them', async () => {
    const title = `x\u0000\u001b[31m<@all> **bold** ${'长'.repeat(5000)}\u202e${'y'.repeat(5000)}`;
    const payload = buildPushHook({
      branch: hostileBranch,
      project: project(4001),
      commitMessage: `${title}\nbody`,
    });
    const res = await send('Push Hook', payload);
    expect(res.status).toBe(201);
    const pipeline = await store().get((res.json as { pipelineId: string }).pipelineId);
    expect(pipeline?.ref).toBe(hostileBranch);
    expect(pipeline?.environment).toBe('odd');
    expect(Array.from(pipeline?.commitTitle ?? '').length).toBeLessThanOrEqual(1000);
    expect(pipeline?.commitTitle.startsWith('x\u0000\u001b[31m<@all> **bold**')).toBe(true);
    expect(existsSync('/tmp/ferry-pwned')).toBe(false);
  });

  it('marks production pipelines for approval and gives them priority', async () => {
    const res = await send('Push Hook', buildPushHook({ branch: 'master', project: project(5001) }));
    const pipeline = await store().get((res.json as { pipelineId: string }).pipelineId);
    expect(pipeline).toMatchObject({ environment: 'prod', priority: 1, approval: { required: true } });
  });

  it('counts webhooks by result in /metrics', async () => {
    const res = await fetch(`${t.url}/metrics`);
    const text = await res.text();
    expect(text).toMatch(/ferry_webhooks_total\{result="created"\} \d+/);
    expect(text).toMatch(/ferry_webhooks_total\{result="unauthorized"\} \d+/);
    expect(text).toMatch(/ferry_webhooks_total\{result="ignored"\} \d+/);
  });
});
