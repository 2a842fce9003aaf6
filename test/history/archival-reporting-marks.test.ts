import { randomSha } from '@ferry/doubles/gitlab';
import { describe, expect, it } from 'vitest';
import { LastPostedStates } from '../../packages/server/src/gitlab/statuses/last-posted-states.js';
import { liveKeys } from '../../packages/server/src/history/redis/redis-live-keys.js';
import { OutboxQueue } from '../../packages/server/src/reporting/outbox/outbox-queue.js';
import {
  commitStatusChannel,
  deployingMark,
  reportingKeys,
} from '../../packages/server/src/reporting/reporting-keys.js';
import { OnceMarks } from '../../packages/server/src/reporting/wecom/once-marks.js';
import { pushPipeline, until } from '../api/api-support.js';
import { ferryPerTest } from '../support/ferry-per-test.js';
import { historyConfig, historyKinds } from '../support/history.js';

describe.each(historyKinds)('reporting marks leave Redis with the archived pipeline (%s)', (kind) => {
  const each = ferryPerTest();

  it('drops once-marks and a commit’s last GitLab states, unless its statuses are queued or another pipeline of it is in Redis', async () => {
    // One pipeline per cycle, oldest admitted first: the test sees each move's effect alone.
    const history = await historyConfig(kind, { archiveAfter: '0s', interval: '1h', batch: 1 });
    const ferry = await each.start({ config: { history: history.config }, env: history.env });
    const redis = each.redis;
    await redis.set(liveKeys(ferry.prefix).archiverLease, 'another-replica', 'PX', 3_600_000);
    await ferry.ferry.history.archiver.cycle();
    const keys = reportingKeys(ferry.prefix);
    const shared = randomSha();
    const pipelines = [
      { projectId: 330, sha: shared, branch: 'test' },
      { projectId: 330, sha: shared, branch: 'staging' },
      { projectId: 331, sha: randomSha(), branch: 'test' },
      { projectId: 332, sha: randomSha(), branch: 'test' },
    ];
    const ids: string[] = [];
    for (const p of pipelines) ids.push(await pushPipeline(ferry, p));
    for (const id of ids) await until(ferry, id, ['success']);
    // What reporting leaves behind per pipeline, written by reporting's own classes.
    const states = new LastPostedStates(redis, keys);
    const once = new OnceMarks(redis, keys);
    for (const [i, p] of pipelines.entries()) {
      await states.set(p.projectId, p.sha, p.branch, 'ferry', 'success');
      expect(await once.first(deployingMark(ids[i]!))).toBe(true);
    }
    // Project 332's commit still has a status waiting for GitLab.
    const last = pipelines[3]!;
    await new OutboxQueue(redis, keys).push('gitlab', commitStatusChannel(last.projectId, last.sha), {
      state: 'success',
    });
    const lastStates = (p: { projectId: number; sha: string }) =>
      redis.exists(keys.lastStates(p.projectId, p.sha));
    const marked = (i: number) => redis.exists(keys.once(deployingMark(ids[i]!)));

    expect(await ferry.ferry.history.archiver.cycle()).toMatchObject({ archived: 1 });
    expect(await marked(0)).toBe(0);
    // The same commit's staging pipeline is still in Redis: its states stay.
    expect(await lastStates(pipelines[0]!)).toBe(1);
    expect(await marked(1)).toBe(1);

    expect(await ferry.ferry.history.archiver.cycle()).toMatchObject({ archived: 1 });
    expect(await marked(1)).toBe(0);
    expect(await lastStates(pipelines[1]!)).toBe(0);

    expect(await ferry.ferry.history.archiver.cycle()).toMatchObject({ archived: 1 });
    expect(await marked(2)).toBe(0);
    expect(await lastStates(pipelines[2]!)).toBe(0);

    expect(await ferry.ferry.history.archiver.cycle()).toMatchObject({ archived: 1 });
    expect(await marked(3)).toBe(0);
    // Statuses still queued for the commit: the states that keep them from being posted twice stay.
    expect(await lastStates(last)).toBe(1);
    for (const id of ids) expect(await ferry.ferry.history.store.has(id)).toBe(true);
  });
});
