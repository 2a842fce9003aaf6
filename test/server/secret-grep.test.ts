import { randomBytes } from 'node:crypto';
import {
  buildPushHook,
  DEFAULT_INSTANCE_URL,
  type GitLabDouble,
  randomSha,
  sendWebhook,
  startGitLabDouble,
} from '@ferry/doubles/gitlab';
import { startWeComDouble, type WeComDouble } from '@ferry/doubles/wecom';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../reporting/support/pipelines.js';
import { type ReportingFerry, startReportingFerry } from '../reporting/support/reporting-ferry.js';
import { eventually, testWebhookSecret } from '../support/ferry.js';
import { testRedisUrl } from '../support/services.js';

const value = (name: string) => `${name}-${randomBytes(12).toString('hex')}`;

/** Every secret the configuration holds, each a distinct value a grep cannot mistake. */
const secrets = {
  globalWebhookSecret: testWebhookSecret,
  projectWebhookSecret: value('hook-b'),
  gitlabToken: `glpat-${randomBytes(10).toString('hex')}`,
  registryPassword: value('registry-pw'),
  wecomKeyTeam: value('wecom-team'),
  wecomKeyOps: value('wecom-ops'),
  adminToken: value('admin-token'),
  deployerToken: value('deployer-token'),
  viewerToken: value('viewer-token'),
};

/** The forms a secret could leak in: as is, URL-encoded, base64 (alone, and as user:password in a Basic or docker auth). */
function forms(name: keyof typeof secrets): string[] {
  const raw = secrets[name];
  const out = [raw, encodeURIComponent(raw), Buffer.from(raw).toString('base64')];
  if (name === 'registryPassword') out.push(Buffer.from(`ferry:${raw}`).toString('base64'));
  return out;
}

/** Every key under the prefix (the store, logs, events, BullMQ's) with its value, as text. */
async function dumpRedis(redis: Redis, prefix: string): Promise<{ keys: number; text: string[] }> {
  const text: string[] = [];
  let keys = 0;
  let cursor = '0';
  do {
    const [next, page] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    for (const key of page) {
      keys++;
      text.push(key);
      const type = await redis.type(key);
      if (type === 'string') text.push((await redis.get(key)) ?? '');
      else if (type === 'hash') text.push(JSON.stringify(await redis.hgetall(key)));
      else if (type === 'list') text.push(JSON.stringify(await redis.lrange(key, 0, -1)));
      else if (type === 'set') text.push(JSON.stringify(await redis.smembers(key)));
      else if (type === 'zset') text.push(JSON.stringify(await redis.zrange(key, 0, -1, 'WITHSCORES')));
      else if (type === 'stream') text.push(JSON.stringify(await redis.xrange(key, '-', '+')));
      else text.push(`(${type})`);
    }
  } while (cursor !== '0');
  return { keys, text };
}

/**
 * The game day's secret grep, in the suite: a pipeline flow with every kind of secret configured
 * (global and per-project webhook secrets, the GitLab token, the registry password, two WeCom bot
 * keys, three API tokens), plus deliveries and requests that carry secrets where they do not belong
 * (a token as X-Request-Id, a wrong token that is another secret). Then Ferry's log, every Redis key
 * and value under its prefix, every API answer (headers and body), and what reached GitLab's status
 * descriptions and the WeCom messages are searched for each secret: none may appear.
 *
 * The executor is `noop`: runner environments are the stage-jobs table test's business.
 */
describe('secret grep (game day)', () => {
  let gitlab: GitLabDouble;
  let wecom: WeComDouble;
  let t: ReportingFerry;
  let redis: Redis;
  const answers: string[] = [];
  const a = { id: 8801, path: 'grep/a' };
  const b = { id: 8802, path: 'grep/b' };

  beforeAll(async () => {
    gitlab = await startGitLabDouble({ token: secrets.gitlabToken });
    for (const p of [a, b])
      gitlab.projects.addProject({ id: p.id, path_with_namespace: p.path, default_branch: 'master' });
    wecom = await startWeComDouble({ keys: [secrets.wecomKeyTeam, secrets.wecomKeyOps] });
    t = await startReportingFerry({
      gitlab,
      wecom,
      bots: [
        { name: 'team', key: secrets.wecomKeyTeam },
        { name: 'ops', key: secrets.wecomKeyOps },
      ],
      env: {
        B_HOOK: secrets.projectWebhookSecret,
        REG_PW: secrets.registryPassword,
        ADMIN_TOKEN: secrets.adminToken,
        DEPLOYER_TOKEN: secrets.deployerToken,
        VIEWER_TOKEN: secrets.viewerToken,
      },
      config: {
        gitlab: {
          url: gitlab.url,
          token: { env: 'TEST_GITLAB_TOKEN' },
          cloneHosts: [DEFAULT_INSTANCE_URL],
          projects: { [b.path]: { id: b.id, webhookSecret: { env: 'B_HOOK' } } },
        },
        registry: { endpoint: '127.0.0.1:5000', username: 'ferry', password: { env: 'REG_PW' } },
        auth: {
          anonymousRead: false,
          tokens: [
            { name: 'ops-admin', token: { env: 'ADMIN_TOKEN' }, role: 'admin' },
            { name: 'release-bot', token: { env: 'DEPLOYER_TOKEN' }, role: 'deployer' },
            { name: 'dashboard', token: { env: 'VIEWER_TOKEN' }, role: 'viewer' },
          ],
        },
      },
    });
    redis = new Redis(testRedisUrl());
  });
  afterAll(async () => {
    await t?.close();
    await gitlab?.close();
    await wecom?.close();
    redis?.disconnect();
  });

  const record = async (res: Response) => {
    const body = await res.text();
    answers.push(JSON.stringify([...res.headers]), body);
    return { status: res.status, body };
  };
  const call = (path: string, token: string | undefined, init: RequestInit = {}) =>
    fetch(`${t.url}${path}`, {
      ...init,
      headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...init.headers },
    }).then(record);

  it('finds no configured secret in logs, Redis or API answers after a pipeline flow', async () => {
    const hook = `${t.url}/webhooks/gitlab`;
    const payload = (project: typeof a) => {
      const sha = randomSha();
      gitlab.projects.setBranch(project.id, 'test', sha);
      return buildPushHook({
        branch: 'test',
        after: sha,
        project: { id: project.id, pathWithNamespace: project.path },
      });
    };
    const push = (project: typeof a, token: string) =>
      sendWebhook(hook, 'Push Hook', payload(project), { token });
    // The first delivery carries the admin token as its request id: Ferry must not log or echo it.
    const first = await call('/webhooks/gitlab', undefined, {
      method: 'POST',
      body: JSON.stringify(payload(a)),
      headers: {
        'content-type': 'application/json',
        'x-gitlab-event': 'Push Hook',
        'x-gitlab-token': secrets.globalWebhookSecret,
        'x-request-id': secrets.adminToken,
      },
    });
    expect(first.status).toBe(201);
    const idA = (JSON.parse(first.body) as { pipelineId: string }).pipelineId;
    // Wrong tokens that are other secrets, and secrets where ids go: refused, never echoed or logged.
    for (const [project, token] of [
      [a, secrets.gitlabToken],
      [a, secrets.projectWebhookSecret],
      [b, secrets.wecomKeyOps],
      [b, secrets.globalWebhookSecret],
    ] as const) {
      const refused = await push(project, token);
      expect(refused.status).toBe(401);
      answers.push(JSON.stringify(refused.headers), refused.body);
    }
    const idB = await (async () => {
      const res = await push(b, secrets.projectWebhookSecret);
      expect(res.status).toBe(201);
      answers.push(JSON.stringify(res.headers), res.body);
      return (res.json as { pipelineId?: string }).pipelineId;
    })();
    await until(t, idA, ['success']);
    await until(t, idB!, ['success']);
    await eventually(async () => (wecom.messages().length >= 2 ? true : undefined));
    await eventually(async () =>
      gitlab.transitions(a.id).some((tr) => tr.name === 'ferry' && tr.requested === 'success')
        ? true
        : undefined,
    );

    // API answers, as each role and with wrong tokens that are other secrets.
    for (const path of [
      '/api/v1/pipelines',
      `/api/v1/pipelines/${idA}`,
      `/api/v1/pipelines/${idA}/stages/test/log?format=json`,
      `/api/v1/pipelines/${idA}/stages/build/log?format=text`,
      `/api/v1/pipelines/${idA}/stages/deploy/log?format=sse`,
      '/api/v1/me',
      '/api/v1/environments',
      '/api/v1/deployments',
      '/api/v1/openapi.json',
      '/metrics',
      '/healthz',
      '/readyz',
      '/',
    ]) {
      await call(path, secrets.adminToken);
      await call(path, secrets.viewerToken, { headers: { 'x-request-id': secrets.deployerToken } });
    }
    expect((await call('/api/v1/pipelines', secrets.wecomKeyTeam)).status).toBe(401);
    expect((await call('/api/v1/pipelines', secrets.gitlabToken)).status).toBe(401);
    expect(
      (await call(`/api/v1/pipelines/${idA}/retry`, secrets.deployerToken, { method: 'POST' })).status,
    ).toBeLessThan(500);
    expect(
      (await call(`/api/v1/pipelines/${idA}/cancel`, secrets.viewerToken, { method: 'POST' })).status,
    ).toBe(403);

    const logs = t.logs.map((l) => JSON.stringify(l));
    const stored = await dumpRedis(redis, t.prefix);
    const reported = [
      ...gitlab.transitions().map((tr) => JSON.stringify(tr)),
      ...wecom.messages().map((m) => JSON.stringify({ ...m, key: undefined })),
    ];
    const places = { logs, redis: stored.text, api: answers, reported } as const;
    const found: string[] = [];
    for (const name of Object.keys(secrets) as Array<keyof typeof secrets>) {
      for (const form of forms(name)) {
        for (const [place, texts] of Object.entries(places)) {
          const at = texts.findIndex((x) => x.includes(form));
          if (at >= 0) found.push(`${name} in ${place}: ${texts[at]!.slice(0, 300)}`);
        }
      }
    }
    console.log(
      `secret grep: ${Object.keys(secrets).length} secrets × their forms over ${logs.length} log lines, ` +
        `${stored.keys} Redis keys (${stored.text.join('').length} characters), ${answers.length / 2} API answers, ` +
        `${reported.length} GitLab status posts and WeCom messages: ${found.length} found`,
    );
    expect(found).toEqual([]);
    // The grep saw a real flow: pipelines, logs and messages to search.
    expect(stored.keys).toBeGreaterThan(10);
    expect(logs.length).toBeGreaterThan(10);
    expect(wecom.messages().length).toBeGreaterThanOrEqual(2);
  }, 120_000);
});
