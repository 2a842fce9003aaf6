import {
  buildPushHook,
  DEFAULT_INSTANCE_URL,
  type GitLabDouble,
  MERGE_METHODS_AND_SQUASH,
  type MergeMethod,
  mergeEvents,
  randomSha,
  sendWebhook,
  startGitLabDouble,
} from '@ferry/doubles/gitlab';
import type { PipelineRecord } from '@ferry/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaticEnvironmentMap } from '../../packages/server/src/pipeline/environment-map.js';
import { eventually, startTestFerry, type TestFerry, testWebhookSecret } from '../support/ferry.js';

/**
 * One merge is one pipeline, on the sha the environment branch really has, for every merge method
 * GitLab offers and whichever of its two hooks arrives first. The hooks and the merged merge request
 * come from the GitLab double's `mergeEvents`, which follows GitLab's merge strategies (see its
 * header). When the MR hook names no new head (fast-forward), Ferry asks GitLab's merge request API
 * which commit the branch got; when GitLab does not say in time, it falls back to the merging
 * user's push within 2 minutes.
 */
const environments = () =>
  new StaticEnvironmentMap([
    { environment: 'test', branch: 'test', supersede: false, priority: 10, approval: false },
  ]);
const merger = { username: 'li.wei', name: 'Li Wei' };
const orders = ['merge request first', 'push first'] as const;
type Order = (typeof orders)[number];
type Events = ReturnType<typeof mergeEvents>;

let nextProject = 5100;

async function withGitLab(gitlab: GitLabDouble, lookupTimeout: string): Promise<TestFerry> {
  return startTestFerry({
    worker: false,
    environments: environments(),
    // Reporting off: the double's faults then hit the merge request lookup alone.
    config: {
      gitlab: {
        url: gitlab.url,
        token: { env: 'TEST_GITLAB_TOKEN' },
        // The hooks' git_http_url is on the payloads' instance, not on the double's address.
        cloneHosts: [DEFAULT_INSTANCE_URL],
        mergeLookupTimeout: lookupTimeout,
      },
      reporting: { enabled: false, gitlabTimeout: '2s' },
    },
    env: { TEST_GITLAB_TOKEN: gitlab.token },
  });
}

function sender(t: TestFerry) {
  return (event: 'Push Hook' | 'Merge Request Hook', payload: Parameters<typeof sendWebhook>[2]) =>
    sendWebhook(`${t.url}/webhooks/gitlab`, event, payload, { token: testWebhookSecret });
}

async function sendBoth(t: TestFerry, events: Events, order: Order) {
  const send = sender(t);
  const answers =
    order === 'merge request first'
      ? [await send('Merge Request Hook', events.mergeRequestHook), await send('Push Hook', events.pushHook)]
      : [await send('Push Hook', events.pushHook), await send('Merge Request Hook', events.mergeRequestHook)];
  for (const answer of answers) expect(answer.status).toBeLessThan(300);
  return answers;
}

const pipelinesOf = async (t: TestFerry, projectId: number) =>
  (await t.ferry.ctx.store.list({ projectId }, 10)).items;

/** Waits until the project's one pipeline carries the merge; fails if there ever are two. */
async function mergedPipeline(t: TestFerry, projectId: number): Promise<PipelineRecord> {
  let most = 0;
  const found = await eventually(async () => {
    const items = await pipelinesOf(t, projectId);
    most = Math.max(most, items.length);
    return items[0]?.trigger === 'merge' ? items[0] : undefined;
  }, 60_000);
  expect(most).toBe(1);
  expect(await pipelinesOf(t, projectId)).toHaveLength(1);
  return found;
}

function newMerge(gitlab: GitLabDouble | undefined, method: MergeMethod, squash: boolean) {
  const id = nextProject++;
  const project = { id, pathWithNamespace: `shop/merge-${id}` };
  const events = mergeEvents({ method, squash, project, user: merger, iid: 57, title: 'Add refunds' });
  if (gitlab !== undefined) {
    gitlab.projects.addProject({ id, path_with_namespace: project.pathWithNamespace, visibility: 'private' });
    gitlab.mergeRequests.put(id, events.mergeRequest);
  }
  return { id, project, events };
}

const lookups = (gitlab: GitLabDouble, id: number) =>
  gitlab.requests.filter((r) => r.method === 'GET' && r.path === `/api/v4/projects/${id}/merge_requests/57`);

/**
 * GitLab throttles the next request (429, `Retry-After: seconds`); the Merge Request Hook goes first,
 * so that request is the lookup's; the push follows once it was answered. Returns the throttled ask.
 */
async function throttledLookup(
  t: TestFerry,
  gitlab: GitLabDouble,
  id: number,
  events: Events,
  seconds: number,
) {
  gitlab.throttle(1, seconds);
  expect((await sender(t)('Merge Request Hook', events.mergeRequestHook)).status).toBe(200);
  const asked = await eventually(async () => lookups(gitlab, id).find((r) => r.response?.status === 429));
  expect(lookups(gitlab, id)[0]).toBe(asked);
  expect((await sender(t)('Push Hook', events.pushHook)).status).toBeLessThan(300);
  return asked;
}

describe('merge methods × squash × hook order, GitLab API answering', () => {
  let gitlab: GitLabDouble;
  let t: TestFerry;
  beforeAll(async () => {
    gitlab = await startGitLabDouble();
    t = await withGitLab(gitlab, '60s');
  });
  afterAll(async () => {
    await t?.close();
    await gitlab?.close();
  });

  const table = MERGE_METHODS_AND_SQUASH.flatMap(([method, squash]) =>
    orders.map((order) => ({ method, squash, order })),
  );

  it.each(table)(
    '$method, squash $squash, $order: one pipeline on the branch head, carrying the merge',
    async ({ method, squash, order }) => {
      const { id, events } = newMerge(gitlab, method, squash);
      const answers = await sendBoth(t, events, order);
      const pipeline = await mergedPipeline(t, id);
      expect(pipeline).toMatchObject({
        sha: events.branchHead,
        ref: 'test',
        trigger: 'merge',
        user: { username: 'li.wei' },
        mergeRequest: { iid: 57, title: 'Add refunds', sourceBranch: 'feature/x' },
      });
      for (const answer of answers) {
        const named = (answer.json as { pipelineId?: string }).pipelineId;
        if (named !== undefined) expect(named).toBe(pipeline.id);
      }
      // Only a merge the hook names no head for asks GitLab (a merge commit's hook names it).
      expect(lookups(gitlab, id).length > 0).toBe(method === 'ff');
    },
  );

  it('fast-forward + squash: the merge goes to its own commit, not to another push of the same user', async () => {
    const { id, project, events } = newMerge(gitlab, 'ff', true);
    const send = sender(t);
    const noted = await send('Merge Request Hook', events.mergeRequestHook);
    expect(noted.json).toMatchObject({ result: 'noted' });
    // The same user pushes something else to the branch first: the 2-minute heuristic took this one.
    const other = buildPushHook({ branch: 'test', after: randomSha(), project, user: merger });
    await send('Push Hook', other);
    await send('Push Hook', events.pushHook);
    await eventually(async () => {
      const bySha = new Map((await pipelinesOf(t, id)).map((p) => [p.sha, p.trigger]));
      return bySha.get(events.branchHead) === 'merge' ? bySha : undefined;
    }, 60_000);
    const rows = (await pipelinesOf(t, id)).map((p) => [p.sha, p.trigger]);
    expect(rows).toEqual([
      [events.branchHead, 'merge'],
      [other.after, 'push'],
    ]);
  });

  it('a fast-forward merge never builds the source head the branch does not have', async () => {
    const { id, events } = newMerge(gitlab, 'ff', true);
    const answer = await sender(t)('Merge Request Hook', events.mergeRequestHook);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ result: 'noted' });
    await eventually(async () =>
      lookups(gitlab, id).some((r) => r.response?.status === 200) ? true : undefined,
    );
    expect(await pipelinesOf(t, id)).toHaveLength(0);
  });

  it.each(orders)(
    'GitLab slow (two lookups time out), fast-forward + squash, %s: exact all the same',
    async (order) => {
      const { id, events } = newMerge(gitlab, 'ff', true);
      gitlab.failNext(2, { timeout: true });
      await sendBoth(t, events, order);
      const pipeline = await mergedPipeline(t, id);
      expect(pipeline).toMatchObject({ sha: events.branchHead, trigger: 'merge', mergeRequest: { iid: 57 } });
      expect(lookups(gitlab, id).length).toBeGreaterThanOrEqual(2);
    },
  );

  it.each(orders)(
    'GitLab failing then back (three 503s), fast-forward, %s: exact all the same',
    async (order) => {
      const { id, events } = newMerge(gitlab, 'ff', false);
      gitlab.failNext(3, { status: 503 });
      await sendBoth(t, events, order);
      const pipeline = await mergedPipeline(t, id);
      expect(pipeline).toMatchObject({ sha: events.branchHead, trigger: 'merge', mergeRequest: { iid: 57 } });
    },
  );
  it('GitLab rate-limits the lookup (429, Retry-After: 2): asked again only after 2 s, exact all the same', async () => {
    const { id, events } = newMerge(gitlab, 'ff', true);
    const asked = await throttledLookup(t, gitlab, id, events, 2);
    const pipeline = await mergedPipeline(t, id);
    expect(pipeline).toMatchObject({ sha: events.branchHead, trigger: 'merge', mergeRequest: { iid: 57 } });
    const answers = lookups(gitlab, id);
    expect(answers.map((r) => r.response?.status)).toEqual([429, 200]);
    // Asked again no sooner than GitLab said (the stamps are whole milliseconds of the wall clock).
    const gap = (answers[1]?.receivedAt.getTime() ?? 0) - asked.receivedAt.getTime();
    expect(gap).toBeGreaterThanOrEqual(2_000 - 2);
  });
});

describe('fast-forward merges when GitLab does not name the commit: the fallback', () => {
  let gitlab: GitLabDouble;
  let t: TestFerry;
  beforeAll(async () => {
    gitlab = await startGitLabDouble();
    t = await withGitLab(gitlab, '3s');
  });
  afterAll(async () => {
    gitlab?.outage(false);
    await t?.close();
    await gitlab?.close();
  });

  const cases = [true, false].flatMap((squash) => orders.map((order) => ({ squash, order })));

  it.each(cases)(
    'GitLab down (503 throughout), squash $squash, $order: one pipeline, matched by the merging user’s push',
    async ({ squash, order }) => {
      const { id, events } = newMerge(gitlab, 'ff', squash);
      gitlab.outage(true);
      try {
        await sendBoth(t, events, order);
        const pipeline = await mergedPipeline(t, id);
        expect(pipeline).toMatchObject({
          sha: events.branchHead,
          trigger: 'merge',
          user: { username: 'li.wei' },
        });
      } finally {
        gitlab.outage(false);
      }
      expect(lookups(gitlab, id).every((r) => r.response?.status === 503)).toBe(true);
    },
  );

  it.each(orders)('GitLab does not know the merge request (404), %s: the fallback at once', async (order) => {
    const { id, events } = newMerge(undefined, 'ff', true);
    gitlab.projects.addProject({ id, path_with_namespace: `shop/merge-${id}`, visibility: 'private' });
    await sendBoth(t, events, order);
    const pipeline = await mergedPipeline(t, id);
    expect(pipeline).toMatchObject({ sha: events.branchHead, trigger: 'merge' });
    expect(lookups(gitlab, id).map((r) => r.response?.status)).toEqual([404]);
  });
  it('GitLab rate-limits the lookup past its limit (Retry-After: 60): never asked again, the fallback', async () => {
    const { id, events } = newMerge(gitlab, 'ff', true);
    await throttledLookup(t, gitlab, id, events, 60);
    const pipeline = await mergedPipeline(t, id);
    expect(pipeline).toMatchObject({
      sha: events.branchHead,
      trigger: 'merge',
      user: { username: 'li.wei' },
    });
    expect(lookups(gitlab, id).map((r) => r.response?.status)).toEqual([429]);
  });
});

describe('without a GitLab API (no gitlab.url/token): the fallback only', () => {
  let t: TestFerry;
  beforeAll(async () => {
    t = await startTestFerry({ worker: false, environments: environments() });
  });
  afterAll(async () => t?.close());

  it.each(orders)('fast-forward + squash, %s: one pipeline carrying the merge', async (order) => {
    const { id, events } = newMerge(undefined, 'ff', true);
    await sendBoth(t, events, order);
    expect(await pipelinesOf(t, id)).toMatchObject([{ sha: events.branchHead, trigger: 'merge' }]);
  });

  it('a note is taken only by a push of the user who merged', async () => {
    const { id, project, events } = newMerge(undefined, 'ff', true);
    const send = sender(t);
    await send('Merge Request Hook', events.mergeRequestHook);
    const other = buildPushHook({
      branch: 'test',
      after: randomSha(),
      project,
      user: { username: 'someone' },
    });
    await send('Push Hook', other);
    await send('Push Hook', events.pushHook);
    const rows = (await pipelinesOf(t, id)).map((p) => [p.sha, p.trigger, p.user.username]);
    expect(rows).toEqual([
      [events.branchHead, 'merge', 'li.wei'],
      [other.after, 'push', 'someone'],
    ]);
  });

  it('a merge request hook does not annotate an older push of the branch', async () => {
    const id = nextProject++;
    const project = { id, pathWithNamespace: `shop/merge-${id}` };
    const send = sender(t);
    const earlier = buildPushHook({ branch: 'test', after: randomSha(), project, user: { username: 'ops' } });
    await send('Push Hook', earlier);
    const events = mergeEvents({ method: 'ff', squash: true, project, user: { username: 'li.wei' } });
    expect((await send('Merge Request Hook', events.mergeRequestHook)).json).toMatchObject({
      result: 'noted',
    });
    const [first] = await pipelinesOf(t, id);
    expect(first).toMatchObject({ sha: earlier.after, trigger: 'push', user: { username: 'ops' } });
  });
});
