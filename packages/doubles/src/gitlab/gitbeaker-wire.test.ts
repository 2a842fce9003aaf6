import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { GitbeakerRequestError, Gitlab } from '@gitbeaker/rest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GitLabDouble, startGitLabDouble } from './index.js';

/**
 * The real client Ferry uses, pointed at the double by configuration only. Besides proving the
 * double speaks what @gitbeaker/rest expects, these tests pin down what the installed gitbeaker
 * version puts on the wire, so a gitbeaker upgrade that changes it fails here first.
 */

// The package does not export its package.json; read it next to the resolved entry point.
const gitbeakerEntry = createRequire(import.meta.url).resolve('@gitbeaker/rest');
const gitbeakerVersion = (
  JSON.parse(readFileSync(join(dirname(gitbeakerEntry), '..', 'package.json'), 'utf8')) as { version: string }
).version;
const SHA = '36dd036d3f914c9aec66075ca425d6b611fb8d29';

let gl: GitLabDouble;
let api: InstanceType<typeof Gitlab>;

beforeEach(async () => {
  gl = await startGitLabDouble();
  gl.projects.addProject({
    id: 4217,
    path_with_namespace: 'shop/order-service',
    default_branch: 'master',
    branches: { test: SHA },
    files: { test: { 'ferry/pipeline.yml': 'stages:\n  build: { dockerfile: Dockerfile }\n' } },
  });
  api = new Gitlab({ host: gl.url, token: gl.token });
});

afterEach(async () => {
  await gl.close();
});

describe(`@gitbeaker/rest ${gitbeakerVersion} against the GitLab double`, () => {
  it('Commits.editStatus sends the state in a JSON body, options snake_cased, token in PRIVATE-TOKEN', async () => {
    const status = await api.Commits.editStatus(4217, SHA, 'running', {
      name: 'ferry/test',
      ref: 'test',
      targetUrl: 'https://ferry.example.com/pipelines/41',
      description: 'Running tests',
    });
    expect(status).toMatchObject({ status: 'running', name: 'ferry/test', ref: 'test', sha: SHA });

    const wire = gl.requests.at(-1);
    expect(wire?.method).toBe('POST');
    expect(wire?.path).toBe(`/api/v4/projects/4217/statuses/${SHA}`);
    expect(wire?.query).toEqual({});
    expect(wire?.headers['content-type']).toBe('application/json');
    expect(wire?.headers['private-token']).toBe(gl.token);
    expect(JSON.parse(wire?.rawBody ?? '')).toEqual({
      state: 'running',
      name: 'ferry/test',
      ref: 'test',
      target_url: 'https://ferry.example.com/pipelines/41',
      description: 'Running tests',
    });
  });

  it('URL-encodes a project path given instead of an id', async () => {
    await api.Commits.editStatus('shop/order-service', SHA, 'pending', { name: 'ferry', ref: 'test' });
    expect(gl.requests.at(-1)?.path).toBe(`/api/v4/projects/shop%2Forder-service/statuses/${SHA}`);
  });

  it('surfaces GitLab’s repeated-state 400 as a GitbeakerRequestError carrying the message', async () => {
    await api.Commits.editStatus(4217, SHA, 'running', { name: 'ferry/test', ref: 'test' });
    const error = await api.Commits.editStatus(4217, SHA, 'running', {
      name: 'ferry/test',
      ref: 'test',
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GitbeakerRequestError);
    expect((error as Error).message).toBe(
      'Cannot transition status via :run from :running (Reason(s): Status cannot transition via "run")',
    );
    expect((error as GitbeakerRequestError).cause?.response.status).toBe(400);
  });

  it('surfaces 404 and 401 with GitLab’s messages', async () => {
    await expect(api.Commits.editStatus(4217, 'f'.repeat(40), 'running', { ref: 'test' })).rejects.toThrow(
      '404 Commit Not Found',
    );
    const stranger = new Gitlab({ host: gl.url, token: 'glpat-revoked' });
    await expect(stranger.Projects.show(4217)).rejects.toThrow('401 Unauthorized');
  });

  it('RepositoryFiles.showRaw returns the file text for an encoded path at a ref', async () => {
    const text = await api.RepositoryFiles.showRaw(4217, 'ferry/pipeline.yml', 'test');
    expect(text).toBe('stages:\n  build: { dockerfile: Dockerfile }\n');
    const wire = gl.requests.at(-1);
    expect(wire?.path).toBe('/api/v4/projects/4217/repository/files/ferry%2Fpipeline.yml/raw');
    expect(wire?.query).toEqual({ ref: 'test' });
    await expect(api.RepositoryFiles.showRaw(4217, 'missing.yml', 'test')).rejects.toThrow(
      '404 File Not Found',
    );
  });

  it('Projects.show finds the project by id and by path', async () => {
    expect(await api.Projects.show(4217)).toMatchObject({
      id: 4217,
      path_with_namespace: 'shop/order-service',
    });
    expect(await api.Projects.show('shop/order-service')).toMatchObject({
      id: 4217,
      default_branch: 'master',
    });
  });

  it('retries 429 and 502 by itself (ignoring Retry-After) but not 503 or 500', async () => {
    gl.throttle(2, 30);
    await api.Commits.editStatus(4217, SHA, 'pending', { name: 'ferry', ref: 'test' });
    expect(gl.requests.map((r) => r.response?.status)).toEqual([429, 429, 201]);

    gl.failNext(1, { status: 503 });
    await expect(
      api.Commits.editStatus(4217, SHA, 'running', { name: 'ferry', ref: 'test' }),
    ).rejects.toThrow();
    expect(gl.requests.at(-1)?.response?.status).toBe(503);
    expect(gl.statuses(4217, SHA).map((s) => s.status)).toEqual(['pending']);
  });
});
