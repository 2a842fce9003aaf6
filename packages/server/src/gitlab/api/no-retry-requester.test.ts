import { type GitLabDouble, startGitLabDouble } from '@ferry/doubles/gitlab';
import { GitbeakerRequestError, Gitlab } from '@gitbeaker/rest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { classifyGitLabError } from './gitlab-errors.js';
import { noRetryRequesterFn } from './no-retry-requester.js';

const SHA = '36dd036d3f914c9aec66075ca425d6b611fb8d29';
let gl: GitLabDouble;
let api: InstanceType<typeof Gitlab>;

beforeEach(async () => {
  gl = await startGitLabDouble();
  gl.projects.addProject({
    id: 4217,
    path_with_namespace: 'shop/order-service',
    branches: { test: SHA },
    files: { test: { '.ferry.yml': 'service: order-service\n' } },
  });
  api = new Gitlab({ host: gl.url, token: gl.token, requesterFn: noRetryRequesterFn });
});

afterEach(async () => {
  await gl.close();
});

describe('the GitLab request handler that retries nothing', () => {
  it("hands GitLab's 429 over at once, with its Retry-After, instead of asking ten more times", async () => {
    gl.throttle(2, 30);
    const err = await api.Commits.editStatus(4217, SHA, 'pending', { name: 'ferry', ref: 'test' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GitbeakerRequestError);
    expect(classifyGitLabError(err)).toEqual({
      kind: 'retry',
      status: 429,
      retryAfterMs: 30_000,
      message: '429 Retry later',
    });
    expect(gl.requests.map((r) => r.response?.status)).toEqual([429]);
    // The next try (the caller's) still meets the second throttled answer, then goes through.
    await expect(
      api.Commits.editStatus(4217, SHA, 'pending', { name: 'ferry', ref: 'test' }),
    ).rejects.toThrow();
    await api.Commits.editStatus(4217, SHA, 'pending', { name: 'ferry', ref: 'test' });
    expect(gl.requests.map((r) => r.response?.status)).toEqual([429, 429, 201]);
  });

  it('reads answers as gitbeaker does: JSON, text, and GitLab’s message on an error', async () => {
    expect(await api.Projects.show('shop/order-service')).toMatchObject({ id: 4217 });
    expect(await api.RepositoryFiles.showRaw(4217, '.ferry.yml', SHA)).toBe('service: order-service\n');
    const missing = await api.Projects.show(999).catch((e: unknown) => e);
    expect(classifyGitLabError(missing)).toMatchObject({ kind: 'refused', status: 404 });
    expect((missing as Error).message).toMatch(/404 Project Not Found/);
  });
});
