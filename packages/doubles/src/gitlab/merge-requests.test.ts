import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GitLabDouble, MERGE_METHODS_AND_SQUASH, mergeEvents, startGitLabDouble } from './index.js';

let gl: GitLabDouble;

beforeEach(async () => {
  gl = await startGitLabDouble();
  gl.projects.addProject({ id: 4217, path_with_namespace: 'shop/order-service', visibility: 'private' });
});
afterEach(async () => gl.close());

async function show(iid: number | string, token = gl.token) {
  const res = await fetch(`${gl.apiUrl}/projects/4217/merge_requests/${iid}`, {
    headers: { 'PRIVATE-TOKEN': token },
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** GET /projects/:id/merge_requests/:iid after each merge method (from_source_branch.rb, GitLab 17.x). */
describe('the merge request API after a merge', () => {
  it.each(MERGE_METHODS_AND_SQUASH)(
    '%s, squash %s: merged, with the shas GitLab stores',
    async (method, squash) => {
      const events = mergeEvents({ method, squash, iid: 9, user: { username: 'li.wei', name: 'Li Wei' } });
      gl.mergeRequests.put(4217, events.mergeRequest);
      const { status, json } = await show(9);
      expect(status).toBe(200);
      const source = events.mergeRequestHook.object_attributes.last_commit?.id;
      expect(json).toMatchObject({
        iid: 9,
        state: 'merged',
        sha: source,
        squash,
        merged_by: { username: 'li.wei' },
        diff_refs: { head_sha: source },
      });
      // A merge commit only from merge_commit! (merge, semi-linear); a squash commit whenever it squashed.
      expect(json['merge_commit_sha']).toBe(method === 'ff' ? null : events.branchHead);
      expect(json['squash_commit_sha'] === null).toBe(!squash);
      expect(json['merge_commit_sha'] ?? json['squash_commit_sha'] ?? json['sha']).toBe(events.branchHead);
    },
  );

  it('answers 404 for an unknown merge request and 403 below Reporter on a private project', async () => {
    expect(await show(404)).toEqual({ status: 404, json: { message: '404 Merge Request Not Found' } });
    gl.mergeRequests.put(4217, mergeEvents({ method: 'ff', squash: false, iid: 5 }).mergeRequest);
    gl.addToken('glpat-guest', { role: 'guest' });
    expect((await show(5, 'glpat-guest')).status).toBe(403);
    gl.addToken('glpat-stranger', { role: 'none' });
    expect(await show(5, 'glpat-stranger')).toEqual({
      status: 404,
      json: { message: '404 Project Not Found' },
    });
  });
});
