import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildMergeRequestHook,
  buildPushHook,
  buildTagPushHook,
  encodeGitLabJson,
  loadGitLabFixture,
  loadGitLabHeaderFixture,
  sendWebhook,
  ZERO_SHA,
} from './index.js';

interface Received {
  rawHeaders: string[];
  body: string;
}

let server: Server;
let url: string;
const received: Received[] = [];
let hang = false;

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ rawHeaders: req.rawHeaders, body: Buffer.concat(chunks).toString('utf8') });
      if (hang) return;
      res.setHeader('content-type', 'application/json');
      res.end('{"status":"queued"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/gitlab`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function headerPairs(raw: string[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i < raw.length; i += 2) pairs.push([raw[i] as string, raw[i + 1] as string]);
  return pairs;
}

describe('sendWebhook', () => {
  it('sends exactly GitLab’s headers, in GitLab’s order and case, and a compact JSON body', async () => {
    const payload = loadGitLabFixture('push-merge-to-test');
    const delivery = await sendWebhook(url, 'Push Hook', payload, { token: 'ferry-secret' });
    expect(delivery).toMatchObject({ status: 200, json: { status: 'queued' } });

    const got = received.at(-1) as Received;
    const names = headerPairs(got.rawHeaders).map(([name]) => name);
    expect(names.slice(0, 8)).toEqual(loadGitLabHeaderFixture().order);
    expect(names.slice(8)).toEqual(['Accept-Encoding', 'Accept', 'Connection', 'Host', 'Content-Length']);
    const headers = Object.fromEntries(headerPairs(got.rawHeaders));
    expect(headers).toMatchObject({
      'Content-Type': 'application/json',
      'User-Agent': 'GitLab/17.8.1',
      'X-Gitlab-Event': 'Push Hook',
      'X-Gitlab-Instance': 'https://gitlab.example.com',
      'X-Gitlab-Token': 'ferry-secret',
      'Idempotency-Key': delivery.idempotencyKey,
      'X-Gitlab-Event-UUID': delivery.eventUuid,
      'X-Gitlab-Webhook-UUID': delivery.webhookUuid,
      Connection: 'close',
    });
    expect(JSON.parse(got.body)).toEqual(payload);
    expect(got.body).not.toContain('\n');
  });

  it('escapes <, >, & and U+2028 as Rails does, so receivers must parse rather than match bytes', async () => {
    const payload = loadGitLabFixture('push-hostile');
    await sendWebhook(url, 'Push Hook', payload, { token: 't' });
    const body = (received.at(-1) as Received).body;
    expect(body).not.toMatch(/[<>&\u2028]/);
    expect(body).toContain('\\u003c@all\\u003e');
    expect(JSON.parse(body)).toEqual(payload);
    expect(encodeGitLabJson({ a: '<&>' }, false)).toBe('{"a":"<&>"}');
  });

  it('leaves X-Gitlab-Token out without a secret and keeps the Idempotency-Key on a retry', async () => {
    const first = await sendWebhook(url, 'Merge Request Hook', buildMergeRequestHook());
    expect(headerPairs((received.at(-1) as Received).rawHeaders).map(([n]) => n)).not.toContain(
      'X-Gitlab-Token',
    );
    const retry = await sendWebhook(url, 'Merge Request Hook', buildMergeRequestHook(), {
      idempotencyKey: first.idempotencyKey,
    });
    expect(retry.idempotencyKey).toBe(first.idempotencyKey);
    expect(retry.eventUuid).not.toBe(first.eventUuid);
    // GitLab draws X-Gitlab-Webhook-UUID per request (WebHookService#build_headers, 17.x).
    expect(retry.webhookUuid).not.toBe(first.webhookUuid);
  });

  it('gives up after the timeout like GitLab and reports it instead of throwing', async () => {
    hang = true;
    try {
      const delivery = await sendWebhook(url, 'Push Hook', buildPushHook(), { timeoutMs: 150 });
      expect(delivery).toMatchObject({ status: 0, error: 'timeout' });
    } finally {
      hang = false;
    }
  });

  it('can send malformed bodies for negative tests', async () => {
    await sendWebhook(url, 'Push Hook', {}, { rawBody: '{"object_kind":', contentType: 'text/plain' });
    const got = received.at(-1) as Received;
    expect(got.body).toBe('{"object_kind":');
    expect(Object.fromEntries(headerPairs(got.rawHeaders))['Content-Type']).toBe('text/plain');
  });
});

describe('payload builders', () => {
  it('returns the fixture unchanged without input', () => {
    expect(buildPushHook()).toEqual(loadGitLabFixture('push-merge-to-test'));
    expect(buildMergeRequestHook()).toEqual(loadGitLabFixture('merge-request-merged-to-test'));
    expect(buildTagPushHook()).toEqual(loadGitLabFixture('tag-push'));
  });

  it('keeps ref, after, checkout_sha and the head commit consistent', () => {
    const after = 'a'.repeat(40);
    const hook = buildPushHook({
      branch: 'staging',
      after,
      commitMessage: 'Merge branch x into staging\n\nbody',
    });
    expect(hook).toMatchObject({
      ref: 'refs/heads/staging',
      after,
      checkout_sha: after,
      total_commits_count: 1,
    });
    expect(hook.commits[0]).toMatchObject({ id: after, title: 'Merge branch x into staging' });
  });

  it('builds a branch deletion', () => {
    expect(buildPushHook({ branch: 'old', deleted: true })).toMatchObject({
      after: ZERO_SHA,
      checkout_sha: null,
      commits: [],
      total_commits_count: 0,
    });
  });

  it('moves every project URL with the project path and can point the clone URL elsewhere', () => {
    const hook = buildPushHook({
      project: {
        id: 7,
        pathWithNamespace: 'pay/gateway',
        gitHttpUrl: 'http://127.0.0.1:9418/pay/gateway.git',
      },
    });
    expect(hook.project).toMatchObject({
      id: 7,
      name: 'gateway',
      namespace: 'Pay',
      path_with_namespace: 'pay/gateway',
      web_url: 'https://gitlab.example.com/pay/gateway',
      git_http_url: 'http://127.0.0.1:9418/pay/gateway.git',
      git_ssh_url: 'git@gitlab.example.com:pay/gateway.git',
    });
    expect(hook.project_id).toBe(7);
    expect(hook.repository.git_http_url).toBe('http://127.0.0.1:9418/pay/gateway.git');
    expect(hook.commits[0]?.url).toBe(`https://gitlab.example.com/pay/gateway/-/commit/${hook.after}`);
  });

  it('derives merge request state from the action', () => {
    const opened = buildMergeRequestHook({ action: 'open', iid: 9, sourceBranch: 'feat/a' });
    expect(opened.object_attributes).toMatchObject({
      action: 'open',
      state: 'opened',
      state_id: 1,
      merge_commit_sha: null,
      merge_user_id: null,
      iid: 9,
      url: 'https://gitlab.example.com/shop/order-service/-/merge_requests/9',
    });
    const merged = buildMergeRequestHook({
      mergeCommitSha: 'b'.repeat(40),
      user: { id: 5, username: 'a.b' },
    });
    expect(merged.object_attributes).toMatchObject({
      state: 'merged',
      merge_commit_sha: 'b'.repeat(40),
      merge_user_id: 5,
    });
    expect(merged.user.username).toBe('a.b');
  });
});
