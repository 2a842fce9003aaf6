import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GitLabDouble, startGitLabDouble } from './index.js';

const SHA = 'c0ffee'.padEnd(40, '1');
let gl: GitLabDouble;

beforeEach(async () => {
  gl = await startGitLabDouble();
});
afterEach(async () => {
  await gl.close();
});

const admin = (path: string, body: unknown, token = gl.token) =>
  fetch(`${gl.url}/-/double/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'private-token': token },
    body: JSON.stringify(body),
  });

describe('the GitLab double for a person and a script outside the process', () => {
  it('adds a project and moves a branch through /-/double/ with one of its tokens only', async () => {
    expect((await admin('projects', { id: 42, path: 'demo/sample' }, 'wrong')).status).toBe(401);
    expect((await admin('projects', { id: 42, path: 'demo/sample' })).status).toBe(201);
    expect((await admin('projects', { id: 42, path: 'demo/other' })).status).toBe(409);
    expect((await admin('branches', { project: 43, branch: 'test', sha: SHA })).status).toBe(404);
    expect((await admin('branches', { project: 42, branch: 'test', sha: 'abc' })).status).toBe(400);
    expect((await admin('branches', { project: 'demo/sample', branch: 'test', sha: SHA })).status).toBe(200);
    // The commit is now known to the API, as after a push: a status on it is accepted.
    const post = await fetch(
      `${gl.apiUrl}/projects/42/statuses/${SHA}?state=running&name=ferry%2Ftest&description=%3Cb%3Etests`,
      { method: 'POST', headers: { 'private-token': gl.token } },
    );
    expect(post.status).toBe(201);
  });

  it('shows the statuses, deployments and projects it received at /, escaped', async () => {
    gl.projects.addProject({ id: 42, path_with_namespace: 'demo/sample', branches: { test: SHA } });
    for (const state of ['running', 'success'])
      await fetch(
        `${gl.apiUrl}/projects/42/statuses/${SHA}?state=${state}&name=ferry%2Ftest&description=%3Cb%3Etests&target_url=http%3A%2F%2F127.0.0.1%3A8080%2Fp%2F1`,
        { method: 'POST', headers: { 'private-token': gl.token } },
      );
    await fetch(`${gl.apiUrl}/projects/42/deployments`, {
      method: 'POST',
      headers: { 'private-token': gl.token, 'content-type': 'application/json' },
      body: JSON.stringify({ environment: 'test', sha: SHA, ref: 'test', tag: false, status: 'running' }),
    });
    const res = await fetch(`${gl.url}/`);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    expect(html).toContain('<span class="running">running</span> → <span class="success">success</span>');
    expect(html).toContain('<span class="created">created</span> → <span class="running">running</span>');
    expect(html).toContain('<a href="http://127.0.0.1:8080/p/1">&lt;b&gt;tests</a>');
    expect(html).not.toContain('<b>tests');
    // Newest first.
    expect(html.indexOf('→ <span class="success">')).toBeLessThan(html.indexOf('→ <span class="running">'));
    expect(html).toMatch(
      /<td>test<\/td><td>#1<\/td><td><code>c0ffee11<\/code><\/td><td>test<\/td><td><span class="created">created<\/span> → <span class="running">running<\/span><\/td>/,
    );
    expect(html).toContain('<td>demo/sample</td><td>test <code>c0ffee11</code></td>');
  });

  it('says so when it has received nothing yet', async () => {
    const html = await (await fetch(`${gl.url}/`)).text();
    expect(html).toContain('No commit status received yet.');
    expect(html).toContain('No deployment received yet.');
  });
});
