import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GitLabDouble, startGitLabDouble } from './index.js';

const HEAD = '36dd036d3f914c9aec66075ca425d6b611fb8d29';

let gl: GitLabDouble;
let developer: string;

beforeEach(async () => {
  gl = await startGitLabDouble({ version: '17.8.1' });
  gl.projects.addProject({
    id: 4217,
    path_with_namespace: 'shop/order-service',
    branches: { test: HEAD, master: HEAD },
  });
  developer = 'glpat-developer';
  gl.addToken(developer, { role: 'developer', username: 'dev' });
});
afterEach(async () => gl.close());

async function call(method: string, path: string, body?: unknown, token = gl.token) {
  const res = await fetch(`${gl.apiUrl}${path}`, {
    method,
    headers: { 'PRIVATE-TOKEN': token, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('commit statuses on protected branches (Ci::PipelinePolicy, GitLab 17.x)', () => {
  it('answers 403 to a Developer on a branch only Maintainers may push and merge to', async () => {
    gl.projects.protectBranch(4217, 'master');
    const refused = await call(
      'POST',
      `/projects/4217/statuses/${HEAD}`,
      { state: 'pending', ref: 'master', name: 'ferry' },
      developer,
    );
    expect(refused).toEqual({ status: 403, json: { message: '403 Forbidden' } });
    // The same Developer may post on an unprotected branch, and a Maintainer on the protected one.
    expect(
      (
        await call(
          'POST',
          `/projects/4217/statuses/${HEAD}`,
          { state: 'pending', ref: 'test', name: 'ferry' },
          developer,
        )
      ).status,
    ).toBe(201);
    expect(
      (
        await call('POST', `/projects/4217/statuses/${HEAD}`, {
          state: 'pending',
          ref: 'master',
          name: 'ferry',
        })
      ).status,
    ).toBe(201);
  });

  it('lets a Developer in when Developers may merge, and nobody in when no one may push or merge', async () => {
    gl.projects.protectBranch(4217, 'master', { push: 0, merge: 30 });
    expect(
      (
        await call(
          'POST',
          `/projects/4217/statuses/${HEAD}`,
          { state: 'pending', ref: 'master', name: 'a' },
          developer,
        )
      ).status,
    ).toBe(201);
    gl.projects.protectBranch(4217, 'test', { push: 0, merge: 0 });
    expect(
      (await call('POST', `/projects/4217/statuses/${HEAD}`, { state: 'pending', ref: 'test', name: 'b' }))
        .status,
    ).toBe(403);
  });

  it('shows the branch as GitLab does: protected, who may push or merge, whether this token can push', async () => {
    gl.projects.protectBranch(4217, 'master', { push: 40, merge: 30 });
    const branch = await call('GET', '/projects/4217/repository/branches/master', undefined, developer);
    expect(branch.json).toMatchObject({
      protected: true,
      developers_can_push: false,
      developers_can_merge: true,
      can_push: false,
    });
    expect((await call('GET', '/projects/4217/protected_branches/master', undefined, developer)).status).toBe(
      403,
    );
    const rule = await call('GET', '/projects/4217/protected_branches/master');
    expect(rule.json).toMatchObject({
      push_access_levels: [{ access_level: 40 }],
      merge_access_levels: [{ access_level: 30 }],
    });
    const project = await call('GET', '/projects/4217', undefined, developer);
    expect(project.json).toMatchObject({ permissions: { project_access: { access_level: 30 } } });
  });
});

describe('skipped by version (gitlab-org/gitlab MR 168350, GitLab 17.6)', () => {
  it.each([
    ['17.5.3', 400],
    ['17.6.0', 201],
  ])('GitLab %s answers %i to state skipped', async (version, status) => {
    const old = await startGitLabDouble({ version });
    try {
      old.projects.addProject({ id: 1, path_with_namespace: 'a/b', branches: { test: HEAD } });
      const res = await fetch(`${old.apiUrl}/projects/1/statuses/${HEAD}`, {
        method: 'POST',
        headers: { 'PRIVATE-TOKEN': old.token, 'content-type': 'application/json' },
        body: JSON.stringify({ state: 'skipped', ref: 'test', name: 'ferry' }),
      });
      expect(res.status).toBe(status);
      if (status === 400) expect(await res.json()).toEqual({ error: 'state does not have a valid value' });
    } finally {
      await old.close();
    }
  });

  it('never moves running to skipped', async () => {
    await call('POST', `/projects/4217/statuses/${HEAD}`, { state: 'running', ref: 'test', name: 'ferry' });
    const res = await call('POST', `/projects/4217/statuses/${HEAD}`, {
      state: 'skipped',
      ref: 'test',
      name: 'ferry',
    });
    expect(res.status).toBe(400);
    expect(String(res.json.message)).toMatch(/Cannot transition status via :skip from :running/);
  });
});

describe('pipeline_id (Ci::CreateCommitStatusService#first_matching_pipeline)', () => {
  it('attaches a status without pipeline_id to the newest pipeline of the sha and ref, with it to that one', async () => {
    const first = await call('POST', `/projects/4217/statuses/${HEAD}`, {
      state: 'pending',
      ref: 'test',
      name: 'ferry',
    });
    const external = first.json.pipeline_id as number;
    const ci = gl.startProjectPipeline(4217, HEAD, 'test');
    const loose = await call('POST', `/projects/4217/statuses/${HEAD}`, {
      state: 'pending',
      ref: 'test',
      name: 'ferry/test',
    });
    expect(loose.json.pipeline_id).toBe(ci.id);
    const pinned = await call('POST', `/projects/4217/statuses/${HEAD}`, {
      state: 'running',
      ref: 'test',
      name: 'ferry',
      pipeline_id: external,
    });
    expect(pinned.json).toMatchObject({ pipeline_id: external, status: 'running' });
  });
});

describe('environments and deployments (app/models/deployment.rb, lib/api/deployments.rb)', () => {
  it('creates a deployment running, then finishes it; the environment is created on the way', async () => {
    const created = await call('POST', '/projects/4217/deployments', {
      environment: 'test',
      sha: HEAD,
      ref: 'test',
      tag: false,
      status: 'running',
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      status: 'running',
      sha: HEAD,
      ref: 'test',
      environment: { name: 'test', external_url: null },
    });
    const id = created.json.id as number;
    const done = await call('PUT', `/projects/4217/deployments/${id}`, { status: 'success' });
    expect(done.json).toMatchObject({ status: 'success' });
    expect(gl.deployments.deployments[0]?.history).toEqual(['created', 'running', 'success']);
  });

  it.each([
    ['running', 'running', 400, 'run'],
    ['success', 'running', 400, 'run'],
    ['success', 'success', 400, 'succeed'],
    ['failed', 'success', 200, undefined],
    ['running', 'canceled', 200, undefined],
    ['canceled', 'failed', 200, undefined],
  ] as const)('%s → %s answers %i', async (from, to, status, event) => {
    const created = await call('POST', '/projects/4217/deployments', {
      environment: 'test',
      sha: HEAD,
      ref: 'test',
      tag: false,
      status: from,
    });
    const res = await call('PUT', `/projects/4217/deployments/${created.json.id as number}`, { status: to });
    expect(res.status).toBe(status);
    if (event !== undefined)
      expect(res.json).toEqual({ message: { status: [`cannot transition via "${event}"`] } });
  });

  it('refuses a status the API does not take, a Reporter, and a missing tag', async () => {
    expect(
      (
        await call('POST', '/projects/4217/deployments', {
          environment: 'test',
          sha: HEAD,
          ref: 'test',
          tag: false,
          status: 'created',
        })
      ).json,
    ).toEqual({ error: 'status does not have a valid value' });
    gl.addToken('glpat-reporter', { role: 'reporter' });
    expect(
      (
        await call(
          'POST',
          '/projects/4217/deployments',
          { environment: 'test', sha: HEAD, ref: 'test', tag: false, status: 'running' },
          'glpat-reporter',
        )
      ).status,
    ).toBe(403);
    expect(
      (
        await call('POST', '/projects/4217/deployments', {
          environment: 'test',
          sha: HEAD,
          ref: 'test',
          status: 'running',
        })
      ).json,
    ).toEqual({ error: 'tag is missing' });
  });

  it('creates an environment with its external URL once; a second create is a 400; PUT changes the URL', async () => {
    const env = await call('POST', '/projects/4217/environments', {
      name: 'test',
      external_url: 'https://order.test.example.com',
    });
    expect(env.json).toMatchObject({
      name: 'test',
      external_url: 'https://order.test.example.com',
      tier: 'testing',
    });
    expect(await call('POST', '/projects/4217/environments', { name: 'test' })).toEqual({
      status: 400,
      json: { message: { name: ['has already been taken'] } },
    });
    const listed = await call('GET', '/projects/4217/environments?name=test');
    expect(listed.json).toMatchObject([{ name: 'test' }]);
    const moved = await call('PUT', `/projects/4217/environments/${env.json.id as number}`, {
      external_url: 'https://x.example.com',
    });
    expect(moved.json).toMatchObject({ external_url: 'https://x.example.com' });
    expect(
      (await call('POST', '/projects/4217/environments', { name: 'prod', external_url: 'ftp://x' })).json,
    ).toEqual({ message: { external_url: ['is blocked: Only allowed schemes are http, https'] } });
  });
});
