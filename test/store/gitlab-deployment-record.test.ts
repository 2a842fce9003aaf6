import type { GitLabDeploymentRecord, PipelineRecord } from '@ferry/shared';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisPipelineStore } from '../../packages/server/src/store/redis/redis-pipeline-store.js';
import { finishedPipeline } from '../history/records.js';
import { connectTestRedis } from '../support/services.js';

/**
 * `gitlabDeployments` is written by two reporter channels at once (the environment and its
 * `/canary` folder): each write must keep the other's entries (a Node read-modify-write lost one,
 * and a canary step was then created in GitLab twice).
 */
describe('the GitLab deployments recorded on a pipeline', () => {
  let redis: Redis;
  beforeAll(async () => {
    redis = await connectTestRedis();
  });
  afterAll(() => redis.disconnect());

  async function stored(): Promise<{ store: RedisPipelineStore; record: PipelineRecord }> {
    const store = new RedisPipelineStore(redis, { prefix: `gdr${Date.now().toString(36)}${Math.random()}` });
    const record: PipelineRecord = { ...finishedPipeline(), gitlabDeployments: undefined };
    expect((await store.admit({ pipeline: record, dedupKey: record.id, supersede: false })).kind).toBe(
      'created',
    );
    return { store, record };
  }

  const deployment = (id: number, more: Partial<GitLabDeploymentRecord> = {}): GitLabDeploymentRecord => ({
    id,
    environment: 'test',
    kind: 'deploy',
    sha: 'a'.repeat(40),
    status: 'running',
    ...more,
  });

  it('keeps every entry written at once, and replaces an entry by its GitLab id', async () => {
    const { store, record } = await stored();
    const canary = (n: number) =>
      deployment(100 + n, { environment: 'test/canary', kind: 'canary', step: n });
    await Promise.all([
      store.putGitLabDeployment(record.id, deployment(7)),
      ...[1, 2, 3, 4, 5].map((n) => store.putGitLabDeployment(record.id, canary(n))),
    ]);
    await store.putGitLabDeployment(record.id, { ...canary(2), status: 'success' });
    const list = (await store.get(record.id))?.gitlabDeployments ?? [];
    expect([...list].sort((a, b) => a.id - b.id)).toEqual([
      deployment(7),
      canary(1),
      { ...canary(2), status: 'success' },
      canary(3),
      canary(4),
      canary(5),
    ]);
  });

  it('writes nothing for a pipeline that is not stored', async () => {
    const { store } = await stored();
    expect(await store.putGitLabDeployment('p-missing', deployment(1))).toBe(false);
    expect(await store.get('p-missing')).toBeUndefined();
  });
});
