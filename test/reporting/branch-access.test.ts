import { DEFAULT_INSTANCE_URL, type GitLabDouble, randomSha, startGitLabDouble } from '@ferry/doubles/gitlab';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/ferry.js';
import { ScriptedRunner } from '../support/scripted-runner.js';
import { merge, until } from './support/pipelines.js';
import { type ReportingFerry, startReportingFerry } from './support/reporting-ferry.js';

/**
 * Environment branches are protected almost everywhere, and GitLab answers 403 to a commit status on
 * a protected ref unless the token's user may push or merge there (the GitLab double's
 * branch-access.ts). Ferry says so at start-up, per branch, before any merge.
 */
describe('the token’s access to environment branches', () => {
  let gitlab: GitLabDouble;
  const running: ReportingFerry[] = [];
  const DEV_TOKEN = 'glpat-developer-token';

  beforeEach(async () => {
    gitlab = await startGitLabDouble();
    gitlab.addToken(DEV_TOKEN, { role: 'developer', username: 'ferry-dev' });
    for (const [id, path] of [
      [4217, 'shop/order-service'],
      [4218, 'shop/billing'],
    ] as const) {
      gitlab.projects.addProject({
        id,
        path_with_namespace: path,
        default_branch: 'master',
        branches: { test: randomSha(), master: randomSha() },
      });
      gitlab.projects.protectBranch(id, 'master');
    }
    // billing lets Developers merge to master.
    gitlab.projects.protectBranch(4218, 'master', { push: 40, merge: 30 });
  });
  afterEach(async () => {
    for (const t of running.splice(0)) await t.close();
    await gitlab.close();
  });

  async function start(token: string) {
    const t = await startReportingFerry({
      gitlab,
      gitlabToken: token,
      runner: new ScriptedRunner(),
      config: {
        gitlab: {
          url: gitlab.url,
          token: { env: 'TEST_GITLAB_TOKEN' },
          cloneHosts: [DEFAULT_INSTANCE_URL],
          projects: {
            'shop/order-service': { id: 4217, webhookSecret: { env: 'FERRY_WEBHOOK_SECRET' } },
            'shop/billing': { id: 4218, webhookSecret: { env: 'FERRY_WEBHOOK_SECRET' } },
          },
        },
      },
    });
    running.push(t);
    return t;
  }

  it('names each branch a Developer token cannot post on, with what to change, at start-up', async () => {
    const t = await start(DEV_TOKEN);
    const results = await t.ferry.accessCheck;
    expect(results.map((r) => [r.project, r.branch, r.ok])).toEqual([
      ['shop/order-service', 'test', true],
      ['shop/order-service', 'master', false],
      ['shop/billing', 'test', true],
      ['shop/billing', 'master', true],
    ]);
    const said = t.logs.filter((l) => l['code'] === 'FERRY_ERR_REPORTING_GITLAB_BRANCH_NOT_WRITABLE');
    expect(said).toHaveLength(1);
    expect(said[0]).toMatchObject({ project: 'shop/order-service', branch: 'master', level: 'error' });
    expect(String(said[0]?.['msg'])).toMatch(/Allowed to merge/);
    // One project call each, one branch call per environment branch: nothing else.
    const calls = gitlab.requests.filter((r) => r.method === 'GET' && !r.path.endsWith('/version'));
    expect(calls.map((r) => r.path).sort()).toEqual(
      [
        '/api/v4/projects/shop%2Forder-service',
        '/api/v4/projects/shop%2Forder-service/repository/branches/test',
        '/api/v4/projects/shop%2Forder-service/repository/branches/master',
        '/api/v4/projects/shop%2Fbilling',
        '/api/v4/projects/shop%2Fbilling/repository/branches/test',
        '/api/v4/projects/shop%2Fbilling/repository/branches/master',
      ].sort(),
    );
  });

  it('finds nothing wrong with a Maintainer token', async () => {
    const t = await start(gitlab.token);
    expect((await t.ferry.accessCheck).every((r) => r.ok)).toBe(true);
  });

  it('and it is right: the statuses of a merge to that branch are refused with 403, loudly', async () => {
    const t = await start(DEV_TOKEN);
    const sha = randomSha();
    gitlab.projects.setBranch(4217, 'master', sha);
    const { id } = await merge(t, { projectId: 4217, path: 'shop/order-service', branch: 'master', sha });
    await until(t, id, ['waiting_approval']);
    const refused = await eventually(async () =>
      t.logs.find((l) => l['code'] === 'FERRY_ERR_REPORTING_GITLAB_STATUS_REFUSED' && l['status'] === 403),
    );
    expect(refused).toBeDefined();
    expect(gitlab.transitions(4217, sha)).toEqual([]);
  });
});
