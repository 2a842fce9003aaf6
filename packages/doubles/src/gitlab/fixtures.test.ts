import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gitlabCommitTitle } from './commit-title.js';
import { type GitLabFixtureName, loadGitLabFixture, loadGitLabHeaderFixture } from './fixtures.js';
import type { PushHookPayload } from './webhook-types.js';

const SHA = /^[0-9a-f]{40}$/;
const ZERO = '0'.repeat(40);
const headers = loadGitLabHeaderFixture();

const OBJECT_KIND: Record<string, string> = {
  'Push Hook': 'push',
  'Tag Push Hook': 'tag_push',
  'Merge Request Hook': 'merge_request',
  'Pipeline Hook': 'pipeline',
};

describe('GitLab fixtures', () => {
  it('lists every fixture file in headers.json with the event header it is delivered with', () => {
    const files = readdirSync(new URL('../../fixtures/gitlab/', import.meta.url)).filter(
      (f) => f.endsWith('.json') && f !== 'headers.json',
    );
    expect(Object.keys(headers.fixtures).sort()).toEqual(files.sort());
    for (const [file, event] of Object.entries(headers.fixtures)) {
      const payload = loadGitLabFixture(file.replace(/\.json$/, '') as GitLabFixtureName) as {
        object_kind: string;
      };
      expect(payload.object_kind, file).toBe(OBJECT_KIND[event]);
    }
  });

  it('keeps the headers in GitLab’s order with GitLab’s names', () => {
    expect(headers.order).toEqual([
      'Content-Type',
      'User-Agent',
      'Idempotency-Key',
      'X-Gitlab-Event',
      'X-Gitlab-Webhook-UUID',
      'X-Gitlab-Instance',
      'X-Gitlab-Event-UUID',
      'X-Gitlab-Token',
    ]);
    expect(Object.keys(headers.example)).toEqual(headers.order);
    expect(headers.example['User-Agent']).toMatch(/^GitLab\/\d+\.\d+\.\d+/);
  });

  it('tells one consistent merge story across the push and the merge request', () => {
    const push = loadGitLabFixture('push-merge-to-test');
    const mr = loadGitLabFixture('merge-request-merged-to-test');
    const feature = loadGitLabFixture('push-feature-branch');
    expect(push.ref).toBe('refs/heads/test');
    expect(push.checkout_sha).toBe(push.after);
    expect(push.commits[0]?.id).toBe(push.after);
    expect(mr.object_attributes).toMatchObject({
      action: 'merge',
      state: 'merged',
      target_branch: 'test',
      source_branch: 'feature/refund-api',
      merge_commit_sha: push.after,
      merge_user_id: mr.user.id,
    });
    expect(mr.user.username).toBe(push.user_username);
    expect(mr.object_attributes.last_commit.id).toBe(feature.after);
    expect(feature.ref).toBe(`refs/heads/${mr.object_attributes.source_branch}`);
    expect(mr.project).toEqual(push.project);
  });

  it('marks the branch deletion as GitLab does', () => {
    const deleted = loadGitLabFixture('push-branch-deleted');
    expect(deleted).toMatchObject({ after: ZERO, checkout_sha: null, commits: [], total_commits_count: 0 });
  });

  it('has a tag push and a non-merge merge request', () => {
    expect(loadGitLabFixture('tag-push')).toMatchObject({ object_kind: 'tag_push', ref: 'refs/tags/v1.4.0' });
    expect(loadGitLabFixture('merge-request-opened').object_attributes).toMatchObject({
      action: 'open',
      state: 'opened',
      merge_commit_sha: null,
    });
  });

  it('derives every well-formed commit title from its message as GitLab does', () => {
    const pushes: PushHookPayload[] = [
      loadGitLabFixture('push-merge-to-test'),
      loadGitLabFixture('push-feature-branch'),
      loadGitLabFixture('tag-push'),
    ];
    for (const commit of pushes.flatMap((p) => p.commits)) {
      expect(commit.title).toBe(gitlabCommitTitle(commit.message));
      expect(commit.id).toMatch(SHA);
    }
  });

  it('carries the hostile inputs the intake must survive', () => {
    const hostile = loadGitLabFixture('push-hostile');
    const title = hostile.commits[0]?.title ?? '';
    expect(hostile.ref).toBe('refs/heads/test$(touch /tmp/x)');
    expect(Buffer.byteLength(title)).toBeGreaterThanOrEqual(10 * 1024);
    for (const needle of [
      '<@all>',
      '@all',
      '<script>',
      '**',
      '修复',
      'עברית',
      'مرحبا',
      '\u202E',
      '\u001B[31m',
      '\u0007',
      '\u2028',
    ]) {
      expect(title, JSON.stringify(needle)).toContain(needle);
    }
    const mr = loadGitLabFixture('merge-request-hostile');
    expect(Array.from(mr.object_attributes.title).length).toBeLessThanOrEqual(255);
    expect(mr.object_attributes.title).toContain('<@all>');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal shell expansion inside a branch name
    expect(mr.object_attributes.source_branch).toBe('feat/$(touch${IFS}/tmp/x)');
  });
});

describe('gitlabCommitTitle', () => {
  it.each([
    ['Fix refunds\n\nbody', 'Fix refunds'],
    ['first\rsecond', 'first'],
    ['', 'No commit message'],
    [`${'word '.repeat(30)}end`, `${'word '.repeat(14)}word...`],
    ['x'.repeat(120), `${'x'.repeat(78)}...`],
  ])('%j → %j', (message, title) => {
    expect(gitlabCommitTitle(message)).toBe(title);
  });
});
