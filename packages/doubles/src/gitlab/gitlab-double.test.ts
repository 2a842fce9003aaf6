import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GitLabDouble, startGitLabDouble } from './index.js';

const MERGE = '36dd036d3f914c9aec66075ca425d6b611fb8d29';
const FEATURE = '7da15e6de91505338a9de98fb12041e9373869be';
const ORPHAN = 'c633a6102ee9ca898344b9f977eb5214f1aacc91';

let gl: GitLabDouble;

beforeEach(async () => {
  gl = await startGitLabDouble();
  gl.projects.addProject({
    id: 4217,
    path_with_namespace: 'shop/order-service',
    default_branch: 'master',
    branches: { test: MERGE, 'feature/refund-api': FEATURE },
    commits: { [ORPHAN]: {} },
    files: {
      test: { 'ferry/pipeline.yml': 'stages:\n  test: { script: [npm test] }\n' },
      [FEATURE]: { 'README.md': '# 订单服务\n' },
    },
  });
});

afterEach(async () => {
  await gl.close();
});

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

async function call(
  method: string,
  path: string,
  init: { body?: unknown; token?: string | null; form?: boolean } = {},
) {
  const headers: Record<string, string> = {};
  if (init.token !== null) headers['PRIVATE-TOKEN'] = init.token ?? gl.token;
  let body: string | undefined;
  if (init.body !== undefined) {
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.body as Record<string, string>).toString();
    } else {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.body);
    }
  }
  const res = await fetch(`${gl.apiUrl}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json } satisfies Answer;
}

const post = (state: string, extra: Record<string, unknown> = {}, sha = MERGE) =>
  call('POST', `/projects/4217/statuses/${sha}`, {
    body: { state, ref: 'test', name: 'ferry/test', ...extra },
  });

describe('authentication', () => {
  it('answers 401 without a token and with a wrong one', async () => {
    expect(await call('GET', '/projects/4217', { token: null })).toMatchObject({
      status: 404, // private project, anonymous: GitLab hides it
    });
    const missing = await call('POST', `/projects/4217/statuses/${MERGE}`, {
      token: null,
      body: { state: 'running' },
    });
    expect(missing).toMatchObject({ status: 401, json: { message: '401 Unauthorized' } });
    const wrong = await call('GET', '/projects/4217', { token: 'glpat-wrong' });
    expect(wrong).toMatchObject({ status: 401, json: { message: '401 Unauthorized' } });
  });

  it('accepts Authorization: Bearer', async () => {
    const res = await fetch(`${gl.apiUrl}/projects/4217`, {
      headers: { authorization: `Bearer ${gl.token}` },
    });
    expect(res.status).toBe(200);
  });

  it('forbids a reporter from posting statuses and hides private projects from non-members', async () => {
    gl.addToken('glpat-reporter', { role: 'reporter' });
    gl.addToken('glpat-outsider', { role: 'none' });
    expect(
      await call('POST', `/projects/4217/statuses/${MERGE}`, {
        token: 'glpat-reporter',
        body: { state: 'running' },
      }),
    ).toMatchObject({ status: 403, json: { message: '403 Forbidden' } });
    expect(await call('GET', '/projects/4217', { token: 'glpat-outsider' })).toMatchObject({
      status: 404,
      json: { message: '404 Project Not Found' },
    });
  });
});

describe('GET /projects/:id', () => {
  it('finds a project by id and by URL-encoded path', async () => {
    const byId = await call('GET', '/projects/4217');
    const byPath = await call('GET', '/projects/shop%2Forder-service');
    expect(byId).toMatchObject({
      status: 200,
      json: { id: 4217, path_with_namespace: 'shop/order-service' },
    });
    expect(byPath.json).toMatchObject({
      id: 4217,
      default_branch: 'master',
      web_url: 'https://gitlab.example.com/shop/order-service',
    });
  });

  it('answers GitLab 404 bodies for unknown projects and unknown routes', async () => {
    expect(await call('GET', '/projects/1')).toMatchObject({
      status: 404,
      json: { message: '404 Project Not Found' },
    });
    expect(await call('GET', '/projects/4217/nothing-here')).toMatchObject({
      status: 404,
      json: { error: '404 Not Found' },
    });
  });
});

describe('GET /projects/:id/repository/files/:file_path/raw', () => {
  it('serves the file at a branch, with the path URL-encoded', async () => {
    const res = await call('GET', '/projects/4217/repository/files/ferry%2Fpipeline.yml/raw?ref=test');
    expect(res.status).toBe(200);
    expect(res.text).toBe('stages:\n  test: { script: [npm test] }\n');
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('x-gitlab-commit-id')).toBe(MERGE);
  });

  it('serves a file stored under a branch when asked by the commit SHA, and the reverse', async () => {
    expect(
      (await call('GET', `/projects/4217/repository/files/ferry%2Fpipeline.yml/raw?ref=${MERGE}`)).status,
    ).toBe(200);
    const readme = await call(
      'GET',
      '/projects/4217/repository/files/README.md/raw?ref=feature%2Frefund-api',
    );
    expect(readme.text).toBe('# 订单服务\n');
  });

  it('answers 404 File Not Found and 404 Commit Not Found', async () => {
    expect(await call('GET', '/projects/4217/repository/files/nope.yml/raw?ref=test')).toMatchObject({
      status: 404,
      json: { message: '404 File Not Found' },
    });
    expect(
      await call('GET', '/projects/4217/repository/files/ferry%2Fpipeline.yml/raw?ref=no-such-branch'),
    ).toMatchObject({ status: 404, json: { message: '404 Commit Not Found' } });
  });

  it('does not route an unencoded slash in the file path', async () => {
    expect(
      await call('GET', '/projects/4217/repository/files/ferry/pipeline.yml/raw?ref=test'),
    ).toMatchObject({
      status: 404,
      json: { error: '404 Not Found' },
    });
  });

  it('reads the default branch when no ref is given', async () => {
    gl.projects.setBranch(4217, 'master', ORPHAN);
    gl.projects.setFile(4217, 'master', 'Dockerfile', 'FROM node:20\n');
    expect((await call('GET', '/projects/4217/repository/files/Dockerfile/raw')).text).toBe('FROM node:20\n');
  });
});

describe('POST /projects/:id/statuses/:sha', () => {
  it('walks pending → running → success on one status and records every transition', async () => {
    const pending = await post('pending', { target_url: 'https://ferry.example/p/1', description: 'Queued' });
    expect(pending).toMatchObject({
      status: 201,
      json: {
        status: 'pending',
        name: 'ferry/test',
        ref: 'test',
        sha: MERGE,
        target_url: 'https://ferry.example/p/1',
      },
    });
    const running = await post('running');
    const success = await post('success', { description: 'Passed in 41 s' });
    const id = (pending.json as { id: number }).id;
    expect(running.json).toMatchObject({ id, status: 'running', description: 'Queued' });
    expect(success.json).toMatchObject({ id, status: 'success', description: 'Passed in 41 s' });
    expect((success.json as { finished_at: string | null }).finished_at).not.toBeNull();
    expect(gl.transitions(4217, MERGE).map((t) => `${t.from}→${t.to}`)).toEqual([
      'created→pending',
      'pending→running',
      'running→success',
    ]);
  });

  it('refuses a repeated running with GitLab’s 400 and leaves the status untouched', async () => {
    await post('running', { description: 'first' });
    const again = await post('running', { description: 'second' });
    expect(again).toMatchObject({
      status: 400,
      json: {
        message:
          'Cannot transition status via :run from :running (Reason(s): Status cannot transition via "run")',
      },
    });
    expect(gl.statuses(4217, MERGE)).toHaveLength(1);
    expect(gl.statuses(4217, MERGE)[0]).toMatchObject({ status: 'running', description: 'first' });
  });

  it('refuses a repeated pending, and pending after running', async () => {
    await post('pending');
    expect((await post('pending')).json).toMatchObject({
      message: expect.stringMatching(/^Cannot transition status via :enqueue from :pending/),
    });
    await post('running');
    expect((await post('pending')).json).toMatchObject({
      message: expect.stringMatching(/^Cannot transition status via :enqueue from :running/),
    });
  });

  it('starts a new status after a terminal one and marks the old one retried', async () => {
    await post('running');
    await post('failed');
    const retry = await post('running');
    expect(retry.status).toBe(201);
    const all = gl.statuses(4217, MERGE);
    expect(all.map((s) => [s.status, s.retried])).toEqual([
      ['failed', true],
      ['running', false],
    ]);
    const latest = await call('GET', `/projects/4217/repository/commits/${MERGE}/statuses`);
    expect((latest.json as Array<{ status: string }>).map((s) => s.status)).toEqual(['running']);
    const everything = await call('GET', `/projects/4217/repository/commits/${MERGE}/statuses?all=true`);
    expect((everything.json as unknown[]).length).toBe(2);
  });

  it('keeps statuses of different names apart', async () => {
    await post('running', { name: 'ferry/test' });
    await post('running', { name: 'ferry/build' });
    await post('running', { name: 'ferry' });
    expect(gl.statuses(4217, MERGE).map((s) => s.name)).toEqual(['ferry/test', 'ferry/build', 'ferry']);
  });

  it('names the status "default" without name or context, and reads context as the name', async () => {
    const unnamed = await call('POST', `/projects/4217/statuses/${MERGE}`, {
      body: { state: 'success', ref: 'test' },
    });
    expect(unnamed.json).toMatchObject({ name: 'default' });
    const ctx = await call('POST', `/projects/4217/statuses/${MERGE}`, {
      body: { state: 'success', context: 'ci/x' },
    });
    expect(ctx.json).toMatchObject({ name: 'ci/x' });
  });

  it('takes the ref from the branches containing the commit when none is given', async () => {
    const res = await call('POST', `/projects/4217/statuses/${FEATURE}`, { body: { state: 'pending' } });
    expect(res.json).toMatchObject({ ref: 'feature/refund-api' });
  });

  it('answers 404 for an unknown SHA and for a commit on no branch without ref', async () => {
    expect(await post('running', {}, 'f'.repeat(40))).toMatchObject({
      status: 404,
      json: { message: '404 Commit Not Found' },
    });
    const noRef = await call('POST', `/projects/4217/statuses/${ORPHAN}`, { body: { state: 'running' } });
    expect(noRef).toMatchObject({ status: 404, json: { message: '404 References for commit Not Found' } });
  });

  it('validates parameters the way Grape reports them', async () => {
    expect(await call('POST', `/projects/4217/statuses/${MERGE}`, { body: { ref: 'test' } })).toMatchObject({
      status: 400,
      json: { error: 'state is missing, state does not have a valid value' },
    });
    expect(await post('error')).toMatchObject({
      status: 400,
      json: { error: 'state does not have a valid value' },
    });
    expect(await post('running', { coverage: 'lots' })).toMatchObject({
      status: 400,
      json: { error: 'coverage is invalid' },
    });
    expect(await post('running', { target_url: 'javascript:alert(1)' })).toMatchObject({
      status: 400,
      json: { message: { target_url: ['is blocked: Only allowed schemes are http, https'] } },
    });
    expect(await post('running', { description: 'x'.repeat(256) })).toMatchObject({
      status: 400,
      json: { message: { description: ['is too long (maximum is 255 characters)'] } },
    });
  });

  it('accepts the state as form fields and as a query parameter too', async () => {
    const form = await call('POST', `/projects/4217/statuses/${MERGE}`, {
      form: true,
      body: { state: 'pending', ref: 'test', name: 'form' },
    });
    expect(form.json).toMatchObject({ status: 'pending', name: 'form' });
    const query = await call('POST', `/projects/4217/statuses/${MERGE}?state=success&ref=test&name=query`);
    expect(query.json).toMatchObject({ status: 'success', name: 'query' });
  });

  it('answers 404 for a pipeline_id that does not match', async () => {
    expect(await post('running', { pipeline_id: 1 })).toMatchObject({
      status: 404,
      json: { message: '404 Pipeline for pipeline_id, sha and ref Not Found' },
    });
  });
});

describe('GET /projects/:id/repository/commits/:sha/statuses', () => {
  it('lists with pagination headers and filters by name', async () => {
    for (const name of ['a', 'b', 'c']) await post('running', { name });
    const page = await call('GET', `/projects/4217/repository/commits/${MERGE}/statuses?per_page=2`);
    expect((page.json as unknown[]).length).toBe(2);
    expect(page.headers.get('x-total')).toBe('3');
    expect(page.headers.get('x-next-page')).toBe('2');
    const named = await call('GET', `/projects/4217/repository/commits/${MERGE}/statuses?name=b`);
    expect((named.json as Array<{ name: string }>).map((s) => s.name)).toEqual(['b']);
  });

  it('answers 404 Commit Not Found for an unknown SHA', async () => {
    expect(await call('GET', `/projects/4217/repository/commits/${'e'.repeat(40)}/statuses`)).toMatchObject({
      status: 404,
      json: { message: '404 Commit Not Found' },
    });
  });
});

describe('faults', () => {
  it('fails every request during an outage and recovers', async () => {
    gl.outage(true);
    const down = await call('GET', '/projects/4217');
    expect(down.status).toBe(503);
    expect(down.headers.get('content-type')).toContain('text/html');
    gl.outage({ status: 500 });
    expect(await call('GET', '/projects/4217')).toMatchObject({
      status: 500,
      json: { message: '500 Internal Server Error' },
    });
    gl.outage(false);
    expect((await call('GET', '/projects/4217')).status).toBe(200);
  });

  it('fails only the next N requests', async () => {
    gl.failNext(2, { status: 502 });
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await post('pending', { name: `n${i}` })).status);
    expect(statuses).toEqual([502, 502, 201]);
    expect(gl.statuses(4217, MERGE)).toHaveLength(1);
  });

  it('throttles with 429 and Retry-After', async () => {
    gl.throttle(1, 7);
    const res = await call('GET', '/projects/4217');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(res.text).toBe('Retry later\n');
    expect((await call('GET', '/projects/4217')).status).toBe(200);
  });

  it('answers the 409 of a concurrent status update', async () => {
    gl.lockConflict(1);
    expect(await post('running')).toMatchObject({
      status: 409,
      json: { message: 'Another update to this commit status is in progress' },
    });
    expect((await post('running')).status).toBe(201);
  });

  it('can hang a request until the client gives up', async () => {
    gl.failNext(1, { timeout: true });
    await expect(fetch(`${gl.apiUrl}/projects/4217`, { signal: AbortSignal.timeout(200) })).rejects.toThrow();
    expect((await call('GET', '/projects/4217')).status).toBe(200);
  });

  it('can drop the connection', async () => {
    gl.failNext(1, { reset: true });
    await expect(fetch(`${gl.apiUrl}/projects/4217`)).rejects.toThrow();
  });
});

describe('request log', () => {
  it('records method, raw path, headers, parsed body and the answer', async () => {
    await post('running', { description: '部署中 <b>' });
    const last = gl.requests.at(-1);
    expect(last).toMatchObject({
      method: 'POST',
      path: `/api/v4/projects/4217/statuses/${MERGE}`,
      body: { state: 'running', description: '部署中 <b>' },
      response: { status: 201 },
    });
    expect(last?.headers['private-token']).toBe(gl.token);
  });
});
