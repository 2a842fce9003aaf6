import { readFileSync } from 'node:fs';
import type { MergeRequestHookPayload, PushHookPayload } from './webhook-types.js';

/** The saved GitLab webhook payloads under `packages/doubles/fixtures/gitlab/`. */
export type GitLabFixtureName =
  | 'push-merge-to-test'
  | 'merge-request-merged-to-test'
  | 'push-feature-branch'
  | 'push-branch-deleted'
  | 'tag-push'
  | 'merge-request-opened'
  | 'pipeline-external'
  | 'push-hostile'
  | 'merge-request-hostile';

interface FixtureTypes {
  'push-merge-to-test': PushHookPayload;
  'merge-request-merged-to-test': MergeRequestHookPayload;
  'push-feature-branch': PushHookPayload;
  'push-branch-deleted': PushHookPayload;
  'tag-push': PushHookPayload;
  'merge-request-opened': MergeRequestHookPayload;
  'pipeline-external': Record<string, unknown>;
  'push-hostile': PushHookPayload;
  'merge-request-hostile': MergeRequestHookPayload;
}

const FIXTURE_DIR = new URL('../../fixtures/gitlab/', import.meta.url);

/** A fresh (deep) copy of a saved payload: callers may mutate it freely. */
export function loadGitLabFixture<N extends GitLabFixtureName>(name: N): FixtureTypes[N] {
  return JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURE_DIR), 'utf8')) as FixtureTypes[N];
}

/** `packages/doubles/fixtures/gitlab/headers.json`: the headers GitLab sends per delivery. */
export interface GitLabHeaderFixture {
  order: string[];
  static: Record<string, string>;
  transport: Record<string, string>;
  perDelivery: Record<string, string>;
  events: Record<string, string>;
  fixtures: Record<string, string>;
  example: Record<string, string>;
}

export function loadGitLabHeaderFixture(): GitLabHeaderFixture {
  return JSON.parse(readFileSync(new URL('headers.json', FIXTURE_DIR), 'utf8')) as GitLabHeaderFixture;
}
