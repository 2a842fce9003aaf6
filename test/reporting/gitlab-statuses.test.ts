import { type GitLabDouble, randomSha, startGitLabDouble } from '@ferry/doubles/gitlab';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { approvePipeline, cancelPipeline } from '../../packages/server/src/pipeline/actions.js';
import { eventually } from '../support/ferry.js';
import { ScriptedRunner } from '../support/scripted-runner.js';
import { merge, until } from './support/pipelines.js';
import { PUBLIC_URL, type ReportingFerry, startReportingFerry } from './support/reporting-ferry.js';

const PROJECT = { projectId: 4217, path: 'shop/order-service' };

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

describe('GitLab commit statuses', () => {
  let gitlab: GitLabDouble;
  let runner: ScriptedRunner;
  const running: ReportingFerry[] = [];

  beforeEach(async () => {
    gitlab = await startGitLabDouble();
    gitlab.projects.addProject({
      id: PROJECT.projectId,
      path_with_namespace: PROJECT.path,
      default_branch: 'master',
    });
    runner = new ScriptedRunner();
  });
  afterEach(async () => {
    for (const t of running.splice(0)) await t.close();
    await gitlab.close();
  });

  async function start(options: Parameters<typeof startReportingFerry>[0] = {}) {
    const t = await startReportingFerry({ gitlab, runner, ...options });
    running.push(t);
    return t;
  }

  /** A commit GitLab knows on `branch`. */
  function commit(branch = 'test'): string {
    const sha = randomSha();
    gitlab.projects.setBranch(PROJECT.projectId, branch, sha);
    return sha;
  }

  const seen = (sha: string) => gitlab.transitions(PROJECT.projectId, sha).map((t) => `${t.name}:${t.to}`);
  const statusesArrive = (sha: string, expected: string[], ms = 15_000) =>
    eventually(async () => (seen(sha).length >= expected.length ? seen(sha) : undefined), ms);

  it('posts the pipeline and every stage in order, with ref, link and descriptions; state is in the JSON body', async () => {
    const t = await start();
    const sha = commit();
    const { id } = await merge(t, { ...PROJECT, sha });
    await until(t, id, ['success']);
    expect(await statusesArrive(sha, success)).toEqual(success);

    const transitions = gitlab.transitions(PROJECT.projectId, sha);
    for (const tr of transitions) {
      expect(tr.ref).toBe('test');
      expect(tr.targetUrl).toMatch(new RegExp(`^${PUBLIC_URL}/pipelines/${id}(#(test|build|deploy))?$`));
    }
    expect(transitions.map((tr) => tr.description)).toEqual([
      'Queued for test',
      'Running for test',
      'Testing',
      expect.stringMatching(/^Passed in \d+s$/),
      'Building the image',
      expect.stringMatching(/^Image built in \d+s$/),
      'Deploying to test',
      expect.stringMatching(/^Deployed to test in \d+s$/),
      expect.stringMatching(/^Deployed to test in \d+s$/),
    ]);
    // On the wire: gitbeaker sends the state in the JSON body, nothing in the query string.
    const posts = gitlab.requests.filter((r) => r.method === 'POST' && r.path.includes('/statuses/'));
    expect(posts).toHaveLength(success.length);
    for (const post of posts) {
      expect(post.query).toEqual({});
      expect(post.headers['content-type']).toBe('application/json');
      expect(JSON.parse(post.rawBody)).toMatchObject({
        state: expect.any(String),
        name: expect.stringMatching(/^ferry/),
        ref: 'test',
      });
    }
  });

  it('shows a failure at test: the failing stage, then the stages that never ran as skipped', async () => {
    runner.script = (req) => (req.stage === 'test' ? { outcome: 'failed', reason: 'exit code 1' } : {});
    const t = await start();
    const sha = commit();
    const { id } = await merge(t, { ...PROJECT, sha });
    await until(t, id, ['failed']);
    const expected = [
      'ferry:pending',
      'ferry:running',
      'ferry/test:running',
      'ferry/test:failed',
      'ferry/build:skipped',
      'ferry/deploy:skipped',
      'ferry:failed',
    ];
    expect(await statusesArrive(sha, expected)).toEqual(expected);
    const last = gitlab.transitions(PROJECT.projectId, sha).at(-1);
    expect(last?.description).toMatch(/^Failed at test after \d+s: exit code 1$/);
  });

  it('posts ferry/test:<job> for each named job, with its coverage and its first failed test', async () => {
    const report = {
      passed: 8,
      failed: 1,
      errors: 0,
      skipped: 0,
      failures: [{ name: 'cart › totals', message: 'expected 10.7 to be 10.8' }],
    };
    runner.script = (req) =>
      req.stage === 'test'
        ? {
            outcome: 'failed',
            reason: 'job unit failed: exit code 1; 1 of 9 tests failed',
            jobs: {
              form: 'jobs',
              records: [
                { name: 'lint', status: 'success', coverage: 91.5 },
                {
                  name: 'unit',
                  status: 'failed',
                  reason: 'exit code 1; 1 of 9 tests failed',
                  report,
                  coverage: 83.25,
                },
              ],
            },
          }
        : {};
    const t = await start();
    const sha = commit();
    const { id } = await merge(t, { ...PROJECT, sha });
    await until(t, id, ['failed']);
    await eventually(async () => (seen(sha).includes('ferry:failed') ? true : undefined), 15_000);
    // Each job's own status, in order: running (unless the job had already ended when its first
    // status was sent: the record is read when sending), then how it ended.
    const states = (job: string) =>
      seen(sha)
        .filter((s) => s.startsWith(`ferry/test:${job}:`))
        .map((s) => s.slice(`ferry/test:${job}:`.length));
    expect([['success'], ['running', 'success']]).toContainEqual(states('lint'));
    expect([['failed'], ['running', 'failed']]).toContainEqual(states('unit'));
    expect(seen(sha)).toEqual(expect.arrayContaining(['ferry/test:running', 'ferry/test:failed']));
    const statuses = gitlab.requests
      .filter((r) => r.method === 'POST' && r.path.includes('/statuses/'))
      .map(
        (r) =>
          JSON.parse(r.rawBody) as { name: string; state: string; coverage?: number; description?: string },
      );
    const unit = statuses.find((s) => s.name === 'ferry/test:unit' && s.state === 'failed');
    expect(unit?.coverage).toBe(83.25);
    expect(unit?.description).toMatch(
      /^Failed: exit code 1; 1 of 9 tests failed · cart › totals: expected 10\.7 to be 10\.8$/,
    );
    expect(statuses.find((s) => s.name === 'ferry/test:lint' && s.state === 'success')?.coverage).toBe(91.5);
    // The stage's own status stays, with the job that failed.
    expect(statuses.find((s) => s.name === 'ferry/test' && s.state === 'failed')?.description).toMatch(
      /: job unit failed: exit code 1; 1 of 9 tests failed$/,
    );
  });

  it('keeps the external pipeline GitLab made for the first status: later statuses go there, not to a newer CI pipeline', async () => {
    runner.script = (req) => (req.stage === 'test' ? { ms: 1_500 } : {});
    const t = await start();
    const sha = commit();
    const { id } = await merge(t, { ...PROJECT, sha });
    await statusesArrive(sha, ['ferry:pending']);
    const external = gitlab.transitions(PROJECT.projectId, sha)[0]?.pipelineId as number;
    // The project's own .gitlab-ci.yml pipeline on the same sha and ref starts meanwhile.
    const ci = gitlab.startProjectPipeline(PROJECT.projectId, sha, 'test');
    await until(t, id, ['success']);
    await statusesArrive(sha, success);
    const where = new Set(gitlab.transitions(PROJECT.projectId, sha).map((tr) => tr.pipelineId));
    expect([...where]).toEqual([external]);
    expect(where.has(ci.id)).toBe(false);
    expect((await t.ferry.ctx.store.get(id))?.gitlabPipelineId).toBe(external);
    const posts = gitlab.requests.filter((r) => r.method === 'POST' && r.path.includes('/statuses/'));
    expect(
      posts
        .slice(1)
        .every((p) => (JSON.parse(p.rawBody) as { pipeline_id?: number }).pipeline_id === external),
    ).toBe(true);
  });

  it('sends canceled instead of skipped to a GitLab older than 17.6, which refuses skipped', async () => {
    await gitlab.close();
    gitlab = await startGitLabDouble({ version: '16.11.10' });
    gitlab.projects.addProject({
      id: PROJECT.projectId,
      path_with_namespace: PROJECT.path,
      default_branch: 'master',
    });
    runner.script = (req) => (req.stage === 'test' ? { outcome: 'failed', reason: 'exit code 1' } : {});
    const t = await start();
    const sha = commit();
    const { id } = await merge(t, { ...PROJECT, sha });
    await until(t, id, ['failed']);
    const expected = [
      'ferry:pending',
      'ferry:running',
      'ferry/test:running',
      'ferry/test:failed',
      'ferry/build:canceled',
      'ferry/deploy:canceled',
      'ferry:failed',
    ];
    expect(await statusesArrive(sha, expected)).toEqual(expected);
    const versionReads = gitlab.requests.filter((r) => r.path === '/api/v4/version');
    expect(versionReads).toHaveLength(1);
    expect(gitlab.requests.some((r) => r.response?.status === 400)).toBe(false);
  });

  it('shows a cancel on the running stage and the ones after it', async () => {
    runner.script = (req) => (req.stage === 'test' ? { ms: 30_000 } : {});
    const t = await start();
    const sha = commit();
    const { id } = await merge(t, { ...PROJECT, sha });
    await statusesArrive(sha, ['ferry:pending', 'ferry:running', 'ferry/test:running']);
    await cancelPipeline(t.ferry.ctx, id, 'alice');
    await until(t, id, ['canceled']);
    const expected = [
      'ferry:pending',
      'ferry:running',
      'ferry/test:running',
      'ferry/test:canceled',
      'ferry/build:canceled',
      'ferry/deploy:canceled',
      'ferry:canceled',
    ];
    expect(await statusesArrive(sha, expected)).toEqual(expected);
    expect(gitlab.transitions(PROJECT.projectId, sha).at(-1)?.description).toMatch(/^Canceled/);
  });

  it('shows a deploy waiting for approval as pending, then running once approved', async () => {
    const t = await start();
    const sha = commit('master');
    const { id } = await merge(t, { ...PROJECT, sha, branch: 'master' });
    await until(t, id, ['waiting_approval']);
    const waiting = [
      'ferry:pending',
      'ferry:running',
      'ferry/test:running',
      'ferry/test:success',
      'ferry/build:running',
      'ferry/build:success',
      'ferry/deploy:pending',
    ];
    expect(await statusesArrive(sha, waiting)).toEqual(waiting);
    expect(gitlab.transitions(PROJECT.projectId, sha).at(-1)?.description).toBe(
      'Waiting for approval to deploy to prod',
    );
    await approvePipeline(t.ferry.ctx, id, 'wang.fang');
    await until(t, id, ['success']);
    const all = [...waiting, 'ferry/deploy:running', 'ferry/deploy:success', 'ferry:success'];
    expect(await statusesArrive(sha, all)).toEqual(all);
  });

  it('rides out a GitLab outage: the pipeline is not held up, the statuses arrive afterwards in order, none twice', async () => {
    runner.script = () => ({ ms: 150 });
    const t = await start();
    const sha = commit();
    const { id } = await merge(t, { ...PROJECT, sha });
    await statusesArrive(sha, ['ferry:pending', 'ferry:running', 'ferry/test:running']);
    gitlab.outage(true);
    const done = await until(t, id, ['success']);
    expect(done.status).toBe('success');
    const during = seen(sha);
    expect(during.length).toBeLessThan(success.length);
    // Ferry kept trying (503s recorded) while GitLab was down.
    await eventually(async () =>
      gitlab.requests.filter((r) => r.response?.status === 503).length >= 2 ? true : undefined,
    );
    gitlab.outage({ status: 500 });
    await new Promise((r) => setTimeout(r, 300));
    gitlab.outage(false);
    expect(await statusesArrive(sha, success)).toEqual(success);
    await new Promise((r) => setTimeout(r, 500));
    expect(seen(sha)).toEqual(success);
    // GitLab never refused a transition: no state was posted twice.
    expect(gitlab.requests.filter((r) => r.response?.status === 400)).toEqual([]);
  });

  it('honours 429 and lock conflicts by retrying', async () => {
    const t = await start();
    const sha = commit();
    gitlab.throttle(12, 0);
    const { id } = await merge(t, { ...PROJECT, sha });
    await until(t, id, ['success']);
    gitlab.lockConflict(2);
    expect(await statusesArrive(sha, success)).toEqual(success);
  });

  it('reports a refused token loudly once, keeps running pipelines, and does not retry forever', async () => {
    const t = await start({ gitlabToken: 'glpat-revoked' });
    for (let i = 0; i < 2; i++) {
      const { id } = await merge(t, { ...PROJECT, sha: commit() });
      await until(t, id, ['success']);
    }
    const metric = async () => {
      const text = await t.ferry.ctx.metrics.registry.metrics();
      return Number(
        /ferry_reporter_sends_total\{reporter="gitlab",result="rejected"\} (\d+)/.exec(text)?.[1] ?? 0,
      );
    };
    await eventually(async () => ((await metric()) >= 18 ? true : undefined));
    await new Promise((r) => setTimeout(r, 300));
    const loud = t.logs.filter(
      (l) => l['code'] === 'FERRY_ERR_REPORTING_GITLAB_STATUS_REFUSED' && l['level'] === 'error',
    );
    expect(loud).toHaveLength(1);
    expect(String(loud[0]?.['msg'])).toContain('401');
    expect(JSON.stringify(t.logs)).not.toContain('glpat-revoked');
    // 18 statuses, one request each: refused once, never retried (a stage's second `running`,
    // recorded when its runner starts, is not tried again either).
    const posts = gitlab.requests.filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(18);
    expect(posts.every((p) => p.response?.status === 401)).toBe(true);
  });

  it('resumes after a restart in the middle: what was queued goes out from the new process, nothing twice', async () => {
    runner.script = () => ({ ms: 200 });
    const first = await start();
    const sha = commit();
    const { id } = await merge(first, { ...PROJECT, sha });
    await statusesArrive(sha, ['ferry:pending', 'ferry:running', 'ferry/test:running']);
    gitlab.outage(true);
    await eventually(async () =>
      (await first.ferry.ctx.store.get(id))?.stages[1]?.status === 'success' ? true : undefined,
    );
    await first.close();
    running.splice(running.indexOf(first), 1);
    const second = await start({ prefix: first.prefix });
    await until(second, id, ['success']);
    gitlab.outage(false);
    expect(await statusesArrive(sha, success)).toEqual(success);
    await new Promise((r) => setTimeout(r, 500));
    expect(seen(sha)).toEqual(success);
  });

  it('sends each status once with two replicas on the same Redis', async () => {
    const a = await start();
    const b = await start({ prefix: a.prefix, worker: false });
    const shas = [commit(), commit(), commit()];
    const ids = [];
    for (const sha of shas) ids.push((await merge(b, { ...PROJECT, sha })).id);
    for (const id of ids) await until(a, id, ['success']);
    for (const sha of shas) expect(await statusesArrive(sha, success)).toEqual(success);
    await new Promise((r) => setTimeout(r, 500));
    for (const sha of shas) expect(seen(sha)).toEqual(success);
  });
});
