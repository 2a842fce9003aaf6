import { readFileSync } from 'node:fs';
import { type GitLabDouble, randomSha, startGitLabDouble } from '@ferry/doubles/gitlab';
import { type FerryError, isFerryError, type PipelineRecord, type SpecProblem } from '@ferry/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitLabApi } from '../../packages/server/src/gitlab/api/gitlab-api.js';
import { GitLabOverrideSource } from '../../packages/server/src/gitlab/ferry-file-source.js';
import { TemplatePlanSource } from '../../packages/server/src/stages/plan-source.js';
import { testConfig } from '../support/ferry.js';

const template = {
  text: readFileSync(new URL('../../pipelines/default.yml', import.meta.url), 'utf8'),
  file: 'pipelines/default.yml',
};

function pipeline(sha: string): PipelineRecord {
  return {
    id: 'p1',
    project: { id: 4217, path: 'shop/order-service', webUrl: '', cloneUrl: '' },
    environment: 'test',
    ref: 'test',
    sha,
    trigger: 'push',
    user: { username: 'li.wei', name: 'Li Wei' },
    commitTitle: 'x',
    status: 'running',
    stages: [],
    priority: 10,
    lane: '4217:test',
    createdAt: '',
    queuedAt: '',
  };
}

async function failure(work: Promise<unknown>): Promise<FerryError> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isFerryError(err)) throw new Error(`expected a FerryError, got ${String(err)}`);
  return err;
}

describe('GitLabOverrideSource: the project’s .ferry.yml at the commit', () => {
  let gitlab: GitLabDouble;
  let source: GitLabOverrideSource;
  const signal = () => AbortSignal.timeout(10_000);

  function sourceWith(token: string, overrideFile = '.ferry.yml', giveUpAfterMs?: number) {
    const { config } = testConfig(
      { gitlab: { url: gitlab.url, token: { env: 'T_GITLAB_TOKEN' } }, pipelines: { overrideFile } },
      { T_GITLAB_TOKEN: token },
    );
    return new GitLabOverrideSource({
      api: createGitLabApi(config, 'read .ferry.yml'),
      file: config.pipelines.overrideFile,
      ...(giveUpAfterMs === undefined ? {} : { giveUpAfterMs }),
    });
  }

  beforeEach(async () => {
    gitlab = await startGitLabDouble();
    gitlab.projects.addProject({
      id: 4217,
      path_with_namespace: 'shop/order-service',
      default_branch: 'master',
    });
    source = sourceWith(gitlab.token);
  });
  afterEach(async () => {
    await gitlab.close();
  });

  it('reads the file at the pipeline’s commit, not at the branch head, and the plan uses it', async () => {
    const built = randomSha();
    const head = randomSha();
    gitlab.projects.setFile(
      4217,
      built,
      '.ferry.yml',
      'stages:\n  deploy:\n    port: 3000\n    replicas: 3\n',
    );
    gitlab.projects.setBranch(4217, 'test', head);
    gitlab.projects.setFile(4217, head, '.ferry.yml', 'stages:\n  deploy:\n    port: 4000\n');
    expect(await source.overrideFor(pipeline(built), signal())).toEqual({
      text: 'stages:\n  deploy:\n    port: 3000\n    replicas: 3\n',
      file: '.ferry.yml',
    });
    const raw = gitlab.requests.at(-1);
    expect(raw?.path).toBe('/api/v4/projects/4217/repository/files/.ferry.yml/raw');
    expect(raw?.query).toEqual({ ref: built });

    const plan = await new TemplatePlanSource(template, source).planFor(pipeline(built), signal());
    expect(plan.deploy).toMatchObject({ port: 3000 });
  });

  // The GitLab client retries nothing itself (no-retry-requester.ts): the read does (gitlab-retry.ts).
  const fileReads = (sha: string) =>
    gitlab.requests
      .filter((r) => r.method === 'GET' && r.path.includes('/repository/files/') && r.query?.ref === sha)
      .map((r) => r.response?.status);

  it('reads the file through GitLab failures that pass (502, 503, 429 with Retry-After)', async () => {
    const sha = randomSha();
    gitlab.projects.setFile(4217, sha, '.ferry.yml', 'stages: [test]\n');
    gitlab.failNext(1, { status: 502 });
    gitlab.failNext(1, { status: 503 });
    const started = Date.now();
    gitlab.throttle(1, 1);
    const read = await source.overrideFor(pipeline(sha), AbortSignal.timeout(60_000));
    expect(read?.text).toBe('stages: [test]\n');
    // GitLab said "not before a second": the read waited at least that long.
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(fileReads(sha).slice(-4)).toEqual([502, 503, 429, 200]);
  });

  it('does not ask again on a refusal, or when GitLab asks for longer than the read may wait', async () => {
    const sha = randomSha();
    gitlab.projects.setFile(4217, sha, '.ferry.yml', 'stages: [test]\n');
    const before = fileReads(sha).length;
    gitlab.failNext(1, { status: 403 });
    const refused = await failure(source.overrideFor(pipeline(sha), signal()));
    expect(refused.code).toBe('FERRY_ERR_REPORTING_GITLAB_FILE_UNREADABLE');
    expect(fileReads(sha).length - before).toBe(1);
    const short = sourceWith(gitlab.token, '.ferry.yml', 5_000);
    gitlab.throttle(1, 3600);
    const throttled = await failure(short.overrideFor(pipeline(sha), signal()));
    expect(throttled.message).toMatch(/429/);
    expect(fileReads(sha).length - before).toBe(2);
  });

  it('means no override when the commit has no such file', async () => {
    const sha = randomSha();
    gitlab.projects.addCommit(4217, sha, ['test']);
    expect(await source.overrideFor(pipeline(sha), signal())).toBeUndefined();
    const plan = await new TemplatePlanSource(template, source).planFor(pipeline(sha), signal());
    expect(plan.deploy).toMatchObject({ port: 8080 });
  });

  it('reads a configured file name in a folder (URL-encoded path)', async () => {
    const sha = randomSha();
    gitlab.projects.setFile(4217, sha, 'ci/ferry.yml', 'stages:\n  deploy:\n    port: 5000\n');
    const text = await sourceWith(gitlab.token, 'ci/ferry.yml').overrideFor(pipeline(sha), signal());
    expect(text?.file).toBe('ci/ferry.yml');
    expect(gitlab.requests.at(-1)?.path).toBe('/api/v4/projects/4217/repository/files/ci%2Fferry.yml/raw');
  });

  it('fails the plan with the located problem when the file is invalid', async () => {
    const sha = randomSha();
    gitlab.projects.setFile(
      4217,
      sha,
      '.ferry.yml',
      'stages:\n  deploy:\n    port: "eighty"\n    replicaz: 2\n',
    );
    const err = await failure(new TemplatePlanSource(template, source).planFor(pipeline(sha), signal()));
    expect(err.code).toBe('FERRY_ERR_SPEC_INVALID');
    expect(err.message).toContain('.ferry.yml');
    const problems = err.details as SpecProblem[];
    expect(problems.length).toBeGreaterThan(0);
    for (const problem of problems)
      expect(problem).toMatchObject({ file: '.ferry.yml', line: expect.any(Number) });
    expect(problems.map((p) => p.path)).toEqual(expect.arrayContaining(['stages.deploy.port']));
    expect(problems.find((p) => p.path === 'stages.deploy.port')?.line).toBe(3);
  });

  it('refuses a file over the size limit before parsing it', async () => {
    const sha = randomSha();
    gitlab.projects.setFile(4217, sha, '.ferry.yml', `# ${'x'.repeat(300 * 1024)}\n`);
    const err = await failure(source.overrideFor(pipeline(sha), signal()));
    expect(err.code).toBe('FERRY_ERR_REPORTING_GITLAB_FILE_TOO_LARGE');
    expect(err.message).toContain('.ferry.yml of shop/order-service at');
  });

  it.each([
    [
      'a token GitLab does not know',
      () => sourceWith('glpat-revoked', '.ferry.yml'),
      /401 Unauthorized/,
      undefined,
    ],
    ['a commit GitLab does not know', undefined, /404 Commit Not Found/, undefined],
    // Retried until the read gives up (2 s here, 30 s by default), then the last answer is the reason.
    [
      'GitLab down',
      () => sourceWith(gitlab.token, '.ferry.yml', 2_000),
      /503 an HTML error page/,
      (g: GitLabDouble) => g.outage(true),
    ],
  ] as const)('fails clearly on %s', async (_name, make, reason, setup) => {
    const s = make === undefined ? source : make();
    setup?.(gitlab);
    const err = await failure(s.overrideFor(pipeline(randomSha()), signal()));
    expect(err.code).toBe('FERRY_ERR_REPORTING_GITLAB_FILE_UNREADABLE');
    expect(err.message).toMatch(reason);
    expect(err.message).not.toContain(gitlab.token);
  });
});
