import { buildPushHook, type MergeMethod, mergeEvents, randomSha, sendWebhook } from '@ferry/doubles/gitlab';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaticEnvironmentMap } from '../../packages/server/src/pipeline/environment-map.js';
import { startTestFerry, type TestFerry, testWebhookSecret } from '../support/ferry.js';

/**
 * One merge is one pipeline, on the sha the environment branch really has, for every merge method
 * GitLab offers and whichever of its two hooks arrives first. The hooks come from the GitLab
 * double's `mergeEvents`, which follows GitLab's merge strategies (see its header).
 */
describe('merge methods × hook order', () => {
  let t: TestFerry;
  let hook: string;
  let nextProject = 5100;
  const send = (event: 'Push Hook' | 'Merge Request Hook', payload: Parameters<typeof sendWebhook>[2]) =>
    sendWebhook(hook, event, payload, { token: testWebhookSecret });

  beforeAll(async () => {
    t = await startTestFerry({
      worker: false,
      environments: new StaticEnvironmentMap([
        { environment: 'test', branch: 'test', supersede: false, priority: 10, approval: false },
      ]),
    });
    hook = `${t.url}/webhooks/gitlab`;
  });
  afterAll(async () => t.close());

  const cases: Array<[MergeMethod, boolean]> = [
    ['merge', false],
    ['merge', true],
    ['rebase_merge', false],
    ['rebase_merge', true],
    ['ff', false],
    ['ff', true],
  ];
  const table = cases.flatMap(([method, squash]) =>
    (['merge request first', 'push first'] as const).map((order) => ({ method, squash, order })),
  );

  it.each(table)(
    '$method, squash $squash, $order: one pipeline on the branch head, carrying the merge',
    async ({ method, squash, order }) => {
      const id = nextProject++;
      const project = { id, pathWithNamespace: `shop/merge-${id}` };
      const merger = { username: 'li.wei', name: 'Li Wei' };
      const events = mergeEvents({ method, squash, project, user: merger, iid: 57, title: 'Add refunds' });
      const answers =
        order === 'merge request first'
          ? [
              await send('Merge Request Hook', events.mergeRequestHook),
              await send('Push Hook', events.pushHook),
            ]
          : [
              await send('Push Hook', events.pushHook),
              await send('Merge Request Hook', events.mergeRequestHook),
            ];
      for (const answer of answers) expect(answer.status).toBeLessThan(300);

      const pipelines = (await t.ferry.ctx.store.list({ projectId: id }, 10)).items;
      expect(pipelines).toHaveLength(1);
      expect(pipelines[0]).toMatchObject({
        sha: events.branchHead,
        ref: 'test',
        trigger: 'merge',
        user: { username: 'li.wei' },
        mergeRequest: { iid: 57, title: 'Add refunds', sourceBranch: 'feature/x' },
      });
      // The hooks of one merge name one pipeline, or (a fast-forward's MR hook first) note the merge.
      const ids = answers.map((a) => (a.json as { pipelineId?: string }).pipelineId).filter(Boolean);
      for (const pipelineId of ids) expect(pipelineId).toBe(pipelines[0]?.id);
    },
  );

  it('a fast-forward merge never builds the source head the branch does not have', async () => {
    const id = nextProject++;
    const project = { id, pathWithNamespace: `shop/merge-${id}` };
    const events = mergeEvents({ method: 'ff', squash: true, project, user: { username: 'li.wei' } });
    const answer = await send('Merge Request Hook', events.mergeRequestHook);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ result: 'noted' });
    expect((await t.ferry.ctx.store.list({ projectId: id }, 10)).items).toHaveLength(0);
  });

  it('a note is taken only by a push of the user who merged', async () => {
    const id = nextProject++;
    const project = { id, pathWithNamespace: `shop/merge-${id}` };
    const events = mergeEvents({ method: 'ff', squash: true, project, user: { username: 'li.wei' } });
    await send('Merge Request Hook', events.mergeRequestHook);
    const other = buildPushHook({
      branch: 'test',
      after: randomSha(),
      project,
      user: { username: 'someone' },
    });
    await send('Push Hook', other);
    await send('Push Hook', events.pushHook);
    const byTrigger = (await t.ferry.ctx.store.list({ projectId: id }, 10)).items.map((p) => [
      p.sha,
      p.trigger,
      p.user.username,
    ]);
    expect(byTrigger).toEqual([
      [events.branchHead, 'merge', 'li.wei'],
      [other.after, 'push', 'someone'],
    ]);
  });

  it('a merge request hook does not annotate an older push of the branch', async () => {
    const id = nextProject++;
    const project = { id, pathWithNamespace: `shop/merge-${id}` };
    const earlier = buildPushHook({ branch: 'test', after: randomSha(), project, user: { username: 'ops' } });
    await send('Push Hook', earlier);
    const events = mergeEvents({ method: 'ff', squash: true, project, user: { username: 'li.wei' } });
    expect((await send('Merge Request Hook', events.mergeRequestHook)).json).toMatchObject({
      result: 'noted',
    });
    const [first] = (await t.ferry.ctx.store.list({ projectId: id }, 10)).items;
    expect(first).toMatchObject({ sha: earlier.after, trigger: 'push', user: { username: 'ops' } });
  });
});
