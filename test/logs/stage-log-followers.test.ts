import { buildMergeRequestHook, buildPushHook, randomSha, sendWebhook } from '@ferry/doubles/gitlab';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, bearer, startApiFerry, type TestRole } from '../api/api-support.js';
import { eventually, type TestFerry, testWebhookSecret } from '../support/ferry.js';
import { type RedisProcess, startRedisProcess } from '../support/redis-process.js';

/** An open SSE follower: its text so far, and a promise of the whole text once the stream ends. */
interface Follower {
  status: number;
  headers: Headers;
  text(): string;
  ended: Promise<string>;
  close(): void;
}

async function follow(url: string, headers: Record<string, string> = {}): Promise<Follower> {
  const stop = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: stop.signal });
  let text = '';
  const ended = (async () => {
    if (res.body === null) return text;
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body) text += decoder.decode(chunk as Uint8Array, { stream: true });
    } catch {
      // closed by the test
    }
    return text;
  })();
  if (res.status !== 200) await ended;
  return { status: res.status, headers: res.headers, text: () => text, ended, close: () => stop.abort() };
}

async function connectedClients(redis: Redis): Promise<number> {
  const info = await redis.info('clients');
  return Number(/connected_clients:(\d+)/.exec(info)?.[1]);
}

/**
 * Stage-log followers over HTTP on a Redis of the test's own (so its client count is Ferry's alone):
 * one Redis reader for every follower, caps per caller and in all (429 + Retry-After), and the end
 * of the stream for stages that will never write.
 */
describe('stage-log followers', () => {
  let redisProcess: RedisProcess;
  let probe: Redis;
  let t: TestFerry;
  const project = { id: 9301, pathWithNamespace: 'g/followers' };

  beforeAll(async () => {
    redisProcess = await startRedisProcess();
    probe = new Redis(redisProcess.url);
    t = await startApiFerry({
      worker: false,
      redisUrl: redisProcess.url,
      config: { limits: { logFollowers: { perCaller: 40, total: 100, retryAfter: '7s' } } },
    });
    // The archiver's thread opens its own Redis connections as it starts: once a cycle has run they
    // are open, and the client counts below are the followers' alone.
    await t.ferry.history.archiver.cycle();
  });
  afterAll(async () => {
    await t?.close();
    probe?.disconnect();
    await redisProcess?.stop();
  });

  // A project of its own per pipeline: a newer push to the same lane supersedes (ends) the older one.
  let projects = 0;
  const push = async () => {
    projects++;
    const res = await sendWebhook(
      `${t.url}/webhooks/gitlab`,
      'Push Hook',
      buildPushHook({
        branch: 'test',
        after: randomSha(),
        project: { id: project.id + projects, pathWithNamespace: `${project.pathWithNamespace}-${projects}` },
      }),
      { token: testWebhookSecret },
    );
    expect(res.status).toBe(201);
    return (res.json as { pipelineId: string }).pipelineId;
  };
  const logUrl = (id: string, stage: string) => `${t.url}/api/v1/pipelines/${id}/stages/${stage}/log`;
  const linesOf = (text: string) =>
    text
      .split('\n\n')
      .filter((e) => e.includes('event: lines'))
      .flatMap((e) => (JSON.parse(e.split('data: ')[1]!) as { lines: Array<{ x: string }> }).lines)
      .map((l) => l.x);

  it('serves 90 followers of 3 live logs from one Redis connection, each seeing every line once', async () => {
    const ids = [await push(), await push(), await push()];
    const before = await connectedClients(probe);
    const writers = ids.map((id) => t.ferry.ctx.logs.writer(id, 'test'));
    writers.forEach((w, i) => {
      w.write('stdout', `before ${i}\n`);
    });
    const roles: TestRole[] = ['viewer', 'deployer', 'admin'];
    const followers = await Promise.all(
      Array.from({ length: 90 }, (_, n) => follow(logUrl(ids[n % 3]!, 'test'), bearer(roles[n % 3]!))),
    );
    expect(followers.map((f) => f.status)).toEqual(followers.map(() => 200));
    await eventually(async () => ((await connectedClients(probe)) === before + 1 ? true : undefined));
    for (let k = 0; k < 20; k++) {
      writers.forEach((w, i) => {
        w.write('stdout', `log ${i} line ${k}\n`);
      });
      await new Promise((r) => setTimeout(r, 20));
    }
    // While 90 followers are open and lines flow: one connection more than before, not 90.
    expect(await connectedClients(probe)).toBe(before + 1);
    await Promise.all(writers.map((w) => w.close()));
    const texts = await Promise.all(followers.map((f) => f.ended));
    texts.forEach((text, n) => {
      const i = n % 3;
      expect(linesOf(text)).toEqual([
        `before ${i}`,
        ...Array.from({ length: 20 }, (_, k) => `log ${i} line ${k}`),
      ]);
      expect(text).toContain('event: end');
    });
    // The reader's connection closes once nobody follows.
    await eventually(async () => ((await connectedClients(probe)) === before ? true : undefined));
  });

  it('answers 429 with Retry-After past the per-caller cap and past the total, and frees places on close', async () => {
    const id = await push();
    const url = logUrl(id, 'build');
    const viewers = await Promise.all(Array.from({ length: 40 }, () => follow(url, bearer('viewer'))));
    expect(viewers.every((f) => f.status === 200)).toBe(true);
    const refused = await follow(url, bearer('viewer'));
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('7');
    expect(JSON.parse(await refused.ended)).toMatchObject({
      error: { code: 'FERRY_ERR_API_LOG_FOLLOWERS_LIMIT' },
    });
    // Another caller still gets in: the cap is per caller.
    const others = await Promise.all([
      ...Array.from({ length: 40 }, () => follow(url, bearer('deployer'))),
      ...Array.from({ length: 20 }, () => follow(url)),
    ]);
    expect(others.every((f) => f.status === 200)).toBe(true);
    // 100 open in all: the server's cap, whoever asks.
    const full = await follow(url, bearer('admin'));
    expect(full.status).toBe(429);
    expect(JSON.parse(await full.ended).error.message).toContain('server limit 100');
    for (const f of viewers.slice(0, 5)) f.close();
    const again = await eventually(async () => {
      const f = await follow(url, bearer('viewer'));
      return f.status === 200 ? f : undefined;
    });
    for (const f of [...viewers, ...others, again]) f.close();
    await Promise.all([...viewers, ...others, again].map((f) => f.ended));
  });

  it('ends at once the stream of a stage the pipeline does not have (a merge request check never deploys)', async () => {
    const res = await sendWebhook(
      `${t.url}/webhooks/gitlab`,
      'Merge Request Hook',
      buildMergeRequestHook({
        action: 'open',
        iid: 4,
        title: 'Check',
        sourceBranch: 'feature/x',
        targetBranch: 'test',
        lastCommit: { id: randomSha(), message: 'x' },
        project,
      }),
      { token: testWebhookSecret },
    );
    expect(res.status).toBe(201);
    const id = (res.json as { pipelineId: string }).pipelineId;
    const f = await follow(logUrl(id, 'deploy'));
    expect(f.status).toBe(200);
    expect(await f.ended).toContain('event: end');
  });

  it('ends the stream of a waiting stage when its pipeline ends (canceled while queued)', async () => {
    const id = await push();
    const f = await follow(logUrl(id, 'deploy'));
    expect(f.status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(f.text()).not.toContain('event: end');
    expect((await api(t, 'POST', `/pipelines/${id}/cancel`, { as: 'deployer' })).statusCode).toBe(200);
    expect(await f.ended).toContain('event: end');
  });
});
