import {
  buildMergeRequestHook,
  buildPushHook,
  type HookUserInput,
  randomSha,
  sendWebhook,
} from '@ferry/doubles/gitlab';
import type { PipelineRecord, PipelineStatus } from '@ferry/shared';
import { expect } from 'vitest';
import { eventually, testWebhookSecret } from '../../support/ferry.js';
import type { ReportingFerry } from './reporting-ferry.js';

export interface MergeInput {
  projectId: number;
  path: string;
  branch?: string;
  sha?: string;
  title?: string;
  user?: HookUserInput;
  /** Also send the Merge Request Hook GitLab sends for a merge (with this MR title and source). */
  mergeRequest?: { iid: number; title: string; sourceBranch: string };
}

/** Sends what GitLab sends for a merge into an environment branch; returns the pipeline id. */
export async function merge(t: ReportingFerry, input: MergeInput): Promise<{ id: string; sha: string }> {
  const sha = input.sha ?? randomSha();
  const branch = input.branch ?? 'test';
  const project = { id: input.projectId, pathWithNamespace: input.path };
  const user = input.user === undefined ? {} : { user: input.user };
  let mergeId: string | undefined;
  if (input.mergeRequest !== undefined) {
    // The Merge Request Hook first, so the pipeline knows its merge request from the start.
    const mr = await sendWebhook(
      `${t.url}/webhooks/gitlab`,
      'Merge Request Hook',
      buildMergeRequestHook({
        action: 'merge',
        iid: input.mergeRequest.iid,
        title: input.mergeRequest.title,
        sourceBranch: input.mergeRequest.sourceBranch,
        targetBranch: branch,
        mergeCommitSha: sha,
        project,
        ...user,
        ...(input.title === undefined ? {} : { lastCommit: { message: input.title } }),
      }),
      { token: testWebhookSecret },
    );
    expect(mr.status).toBe(201);
    mergeId = (mr.json as { pipelineId: string }).pipelineId;
  }
  const push = await sendWebhook(
    `${t.url}/webhooks/gitlab`,
    'Push Hook',
    buildPushHook({
      branch,
      after: sha,
      project,
      ...(input.title === undefined ? {} : { commitMessage: input.title }),
      ...user,
    }),
    { token: testWebhookSecret },
  );
  expect([200, 201]).toContain(push.status);
  if (mergeId !== undefined) return { id: mergeId, sha };
  return { id: (push.json as { pipelineId: string }).pipelineId, sha };
}

export function until(
  t: ReportingFerry,
  id: string,
  statuses: PipelineStatus[],
  ms = 20_000,
): Promise<PipelineRecord> {
  return eventually(async () => {
    const p = await t.ferry.ctx.store.get(id);
    return p !== undefined && statuses.includes(p.status) ? p : undefined;
  }, ms);
}
