import { randomUUID } from 'node:crypto';
import {
  buildPushHook,
  DEFAULT_INSTANCE_URL,
  type GitLabDouble,
  randomSha,
  sendWebhook,
  startGitLabDouble,
} from '@ferry/doubles/gitlab';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, testWebhookSecret } from '../support/ferry.js';
import { type FerryProcess, spawnFerry } from '../support/ferry-process.js';
import { testRedisUrl } from '../support/services.js';
import { until } from './support/pipelines.js';
import { PUBLIC_URL, type ReportingFerry, startReportingFerry } from './support/reporting-ferry.js';

const success = [
  'ferry:pending',
  'ferry:running',
  'ferry/test:running',
  'ferry/test:success',
  'ferry/build:running',
  'ferry/build:success',
  'ferry/deploy:running',
  'ferry/deploy:success',
  'ferry:success',
];

// A real `ferry serve` process killed with SIGKILL while GitLab is down and statuses are queued:
// another Ferry on the same Redis takes the reporting over (once the dead one's lease expires) and
// sends what was queued, in order, nothing twice.
describe('reporting after a crash', () => {
  let gitlab: GitLabDouble | undefined;
  let a: FerryProcess | undefined;
  let b: ReportingFerry | undefined;
  afterEach(async () => {
    if (a?.child.exitCode === null) a.child.kill('SIGKILL');
    await b?.close();
    await gitlab?.close();
  });

  it('resumes from the queues the dead process left', async () => {
    gitlab = await startGitLabDouble();
    const g = gitlab;
    g.projects.addProject({ id: 4217, path_with_namespace: 'shop/order-service' });
    const sha = randomSha();
    g.projects.setBranch(4217, 'test', sha);
    const prefix = `k${randomUUID().slice(0, 8)}`;
    a = await spawnFerry(
      {
        server: { publicUrl: PUBLIC_URL },
        redis: { url: testRedisUrl(), keyPrefix: prefix },
        executor: { kind: 'noop', noop: { stageDuration: '600ms' } },
        limits: { lockDuration: '5s', recoveryInterval: '2s', drainTimeout: '5s' },
        gitlab: { url: g.url, token: { env: 'TEST_GITLAB_TOKEN' }, cloneHosts: [DEFAULT_INSTANCE_URL] },
        reporting: { retryInitial: '50ms', retryMax: '500ms', leaseTtl: '3s' },
      },
      { TEST_GITLAB_TOKEN: g.token },
    );
    const push = await sendWebhook(
      `${a.url}/webhooks/gitlab`,
      'Push Hook',
      buildPushHook({
        branch: 'test',
        after: sha,
        project: { id: 4217, pathWithNamespace: 'shop/order-service' },
      }),
      { token: testWebhookSecret },
    );
    expect(push.status).toBe(201);
    const id = (push.json as { pipelineId: string }).pipelineId;
    const seen = () => g.transitions(4217, sha).map((t) => `${t.name}:${t.to}`);
    await eventually(async () => (seen().includes('ferry/test:running') ? true : undefined));
    g.outage(true);
    await new Promise((r) => setTimeout(r, 900));
    a.child.kill('SIGKILL');
    await a.exited;
    const before = seen();
    expect(before.length).toBeLessThan(success.length);

    b = await startReportingFerry({ prefix, gitlab: g });
    g.outage(false);
    await until(b, id, ['success'], 40_000);
    const all = await eventually(async () => (seen().length >= success.length ? seen() : undefined), 40_000);
    expect(all).toEqual(success);
    await new Promise((r) => setTimeout(r, 500));
    expect(seen()).toEqual(success);
  }, 90_000);
});
