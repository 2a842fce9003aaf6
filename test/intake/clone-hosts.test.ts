import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GitServer, startGitServer, type TestRepo } from '@ferry/doubles/git';
import { buildMergeRequestHook, buildPushHook, sendWebhook } from '@ferry/doubles/gitlab';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestFerry, type TestFerry, testWebhookSecret } from '../support/ferry.js';

/**
 * Issue 12: Ferry's clone token went to whatever host a webhook named in `git_http_url`. A Ferry
 * with a real worker and the local executor (which clones) is told that its GitLab is
 * gitlab.example.com and that the git server beside it may be cloned from; a listener on another
 * port stands for an attacker's host and must receive nothing.
 */
describe('clone hosts', () => {
  let t: TestFerry;
  let git: GitServer;
  let repo: TestRepo;
  let foreign: Server;
  let foreignUrl: string;
  const foreignRequests: string[] = [];
  const send = (event: 'Push Hook' | 'Merge Request Hook', payload: Parameters<typeof sendWebhook>[2]) =>
    sendWebhook(`${t.url}/webhooks/gitlab`, event, payload, { token: testWebhookSecret });

  beforeAll(async () => {
    foreign = createServer((req, res) => {
      foreignRequests.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
    foreignUrl = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}`;
    git = await startGitServer();
    repo = await git.createRepo('shop/app', { 'README.md': '# app\n' }, 'main');
    t = await startTestFerry({
      config: {
        executor: { kind: 'local', local: { workDir: mkdtempSync(join(tmpdir(), 'ferry-clone-hosts-')) } },
        gitlab: { url: 'https://gitlab.example.com', cloneHosts: [git.url] },
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await git?.close();
    await new Promise((r) => foreign?.close(r));
  });

  const mrOpen = (id: number, gitHttpUrl: string, sha: string) =>
    buildMergeRequestHook({
      action: 'open',
      iid: id,
      sourceBranch: 'main',
      targetBranch: 'test',
      lastCommit: { id: sha, message: 'Change' },
      project: { id, pathWithNamespace: `shop/p${id}`, gitHttpUrl },
    });

  it('refuses a webhook naming another host (or port) with 422 and a stable code, stores nothing, and never calls it', async () => {
    const sha = await repo.head('main');
    const port = new URL(foreignUrl).port;
    const refused = [
      await send('Merge Request Hook', mrOpen(701, `${foreignUrl}/shop/evil.git`, sha)),
      await send('Merge Request Hook', mrOpen(702, `http://gitlab.example.com@127.0.0.1:${port}/x.git`, sha)),
      await send(
        'Push Hook',
        buildPushHook({
          branch: 'test',
          after: sha,
          project: { id: 703, pathWithNamespace: 'shop/p703', gitHttpUrl: `${foreignUrl}/shop/p703.git` },
        }),
      ),
    ];
    for (const res of refused) {
      expect(res.status).toBe(422);
      expect(res.json).toMatchObject({ error: { code: 'FERRY_ERR_WEBHOOK_CLONE_HOST_REFUSED' } });
      expect(JSON.stringify(res.json)).toContain(`127.0.0.1:${port}`);
    }
    // The allowed host (gitlab.cloneHosts) is cloned from by the same worker, after the refused ones.
    const ok = await send('Merge Request Hook', mrOpen(704, repo.cloneUrl, sha));
    expect(ok.status).toBe(201);
    const id = (ok.json as { pipelineId: string }).pipelineId;
    const done = await eventually(async () => {
      const p = await t.ferry.ctx.store.get(id);
      return p !== undefined && ['success', 'failed'].includes(p.status) ? p : undefined;
    }, 60_000);
    expect(done.stages.find((s) => s.name === 'test')?.status).toMatch(/success|failed/);
    expect(git.requests.some((r) => r.path.includes('shop/app.git'))).toBe(true);
    for (const projectId of [701, 702, 703]) {
      expect((await t.ferry.ctx.store.list({ projectId }, 10)).items).toHaveLength(0);
    }
    expect(foreignRequests).toEqual([]);
  });
});
