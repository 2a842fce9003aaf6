import { buildMergeRequestHook, DEFAULT_INSTANCE_URL, sendWebhook } from '@ferry/doubles/gitlab';
import { describe, expect, it } from 'vitest';
import { useGitLabWorld } from '../reporting/support/gitlab-world.js';
import { until } from '../reporting/support/pipelines.js';
import type { ReportingFerry } from '../reporting/support/reporting-ferry.js';
import { eventually, testWebhookSecret } from '../support/ferry.js';

const PROJECT = { id: 4217, pathWithNamespace: 'shop/order-service' };

/**
 * Merge request checks: the test stage only, on the source commit, reported as commit statuses on
 * it (GitLab double), superseded by the next push, canceled on close. Payloads from the double's
 * builders (GitLab's Merge Request Hook: `oldrev` only on an update that pushed commits).
 */
describe('merge request checks', () => {
  const w = useGitLabWorld({ id: PROJECT.id, path: PROJECT.pathWithNamespace });
  const start = (config: Record<string, unknown> = {}) =>
    w.start(Object.keys(config).length > 0 ? { config } : {});
  const hook = (t: ReportingFerry, payload: ReturnType<typeof buildMergeRequestHook>) =>
    sendWebhook(`${t.url}/webhooks/gitlab`, 'Merge Request Hook', payload, { token: testWebhookSecret });
  const sourceCommit = () => w.commit('feature/refunds');
  const mr = (action: 'open' | 'update' | 'close' | 'reopen', sha: string, oldrev?: string) =>
    buildMergeRequestHook({
      action,
      iid: 12,
      title: 'Refunds',
      sourceBranch: 'feature/refunds',
      targetBranch: 'test',
      lastCommit: { id: sha, message: 'Add refunds' },
      project: PROJECT,
      ...(oldrev === undefined ? {} : { oldrev }),
    });

  it('runs the test stage only on the source commit and shows it on that commit', async () => {
    const t = await start();
    const sha = sourceCommit();
    const res = await hook(t, mr('open', sha));
    expect(res.status).toBe(201);
    const id = (res.json as { pipelineId: string }).pipelineId;
    const done = await until(t, id, ['success']);
    expect(done).toMatchObject({
      kind: 'merge_request',
      sha,
      ref: 'feature/refunds',
      trigger: 'merge_request',
    });
    expect(done.stages.map((s) => [s.name, s.status])).toEqual([['test', 'success']]);
    expect(w.runner.runs.filter((r) => r.pipelineId === id).map((r) => r.stage)).toEqual(['test']);
    const seen = await eventually(async () => {
      const names = w.gitlab.transitions(PROJECT.id, sha).map((tr) => `${tr.name}:${tr.to}`);
      return names.includes('ferry:success') ? names : undefined;
    });
    expect(seen).toEqual([
      'ferry:pending',
      'ferry:running',
      'ferry/test:running',
      'ferry/test:success',
      'ferry:success',
    ]);
    expect(w.gitlab.transitions(PROJECT.id, sha).every((tr) => tr.ref === 'feature/refunds')).toBe(true);
    expect(w.gitlab.deployments.deployments).toEqual([]);
    // The API says which kind each pipeline is.
    const listed = await t.ferry.app.inject({ method: 'GET', url: `/api/v1/pipelines/${id}` });
    expect(listed.json()).toMatchObject({ kind: 'merge_request', stages: [{ name: 'test' }] });
  });

  it('starts nothing for an update without new commits (title, labels, description)', async () => {
    const t = await start();
    const res = await hook(t, mr('update', sourceCommit()));
    expect(res.json).toMatchObject({ result: 'ignored', reason: 'merge request update without new commits' });
  });

  it('a push to the merge request supersedes its running checks; closing it cancels the rest', async () => {
    w.runner.script = (req) => (req.stage === 'test' ? { ms: 30_000 } : {});
    const t = await start();
    const first = sourceCommit();
    const a = ((await hook(t, mr('open', first))).json as { pipelineId: string }).pipelineId;
    await until(t, a, ['running']);
    const second = sourceCommit();
    const res = await hook(t, mr('update', second, first));
    const b = (res.json as { pipelineId: string; superseded?: string[] }).pipelineId;
    expect((res.json as { superseded?: string[] }).superseded).toEqual([a]);
    await until(t, a, ['canceled']);
    await until(t, b, ['running']);
    const closed = await hook(t, mr('close', second));
    expect(closed.json).toMatchObject({ result: 'canceled', superseded: [b] });
    await until(t, b, ['canceled']);
  });

  it('refuses a fork plainly by default, and runs it without secrets when configured', async () => {
    const forked = (sha: string) => {
      const payload = mr('open', sha);
      payload.object_attributes.source_project_id = 9999;
      return payload;
    };
    const t = await start();
    const refused = await hook(t, forked(sourceCommit()));
    expect(refused.json).toMatchObject({ result: 'ignored' });
    expect((refused.json as { reason: string }).reason).toMatch(/fork.*gitlab\.forkMergeRequests/);
    const open = await start({
      gitlab: {
        url: w.gitlab.url,
        token: { env: 'TEST_GITLAB_TOKEN' },
        cloneHosts: [DEFAULT_INSTANCE_URL],
        forkMergeRequests: 'without-secrets',
      },
    });
    const res = await hook(open, forked(sourceCommit()));
    const id = (res.json as { pipelineId: string }).pipelineId;
    expect(await until(open, id, ['success'])).toMatchObject({ kind: 'merge_request', withoutSecrets: true });
  });
});
