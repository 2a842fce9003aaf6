import { mergeIntoBranch, sendWebhook } from '@ferry/doubles/gitlab';
import { isTerminalPipeline, type PipelineRecord } from '@ferry/shared';
import type { demoMerges } from './sample-service.js';
import type { DemoWorld } from './start-demo-world.js';

const merger = { username: 'li.wei', name: 'Li Wei' };

export interface DemoMergeOutcome {
  iid: number;
  title: string;
  sha: string;
  pipelineId: string;
  status: PipelineRecord['status'];
}

/**
 * Merges one of the demo's merge requests into `test` and sends the hooks as GitLab does (Push
 * Hook, then Merge Request Hook, with the webhook's secret token); returns the pipeline Ferry queued.
 */
export async function mergeDemo(
  world: DemoWorld,
  merge: (typeof demoMerges)[number],
  signal?: AbortSignal,
): Promise<{ sha: string; pipelineId: string }> {
  const merged = await mergeIntoBranch({
    repo: world.repo,
    gitlab: world.gitlab,
    project: world.project,
    target: 'test',
    iid: merge.iid,
    title: merge.title,
    files: merge.files,
    user: merger,
  });
  const url = `${world.ferryUrl}/webhooks/gitlab`;
  const options = { token: world.webhookSecret, ...(signal === undefined ? {} : { signal }) };
  let pipelineId: string | undefined;
  for (const [event, payload] of [
    ['Push Hook', merged.hooks.push],
    ['Merge Request Hook', merged.hooks.mergeRequest],
  ] as const) {
    const delivery = await sendWebhook(url, event, payload, options);
    if (delivery.status < 200 || delivery.status > 299)
      throw new Error(`Ferry answered the ${event} with ${delivery.status}: ${delivery.body.slice(0, 300)}`);
    pipelineId ??= (delivery.json as { pipelineId?: string } | undefined)?.pipelineId;
  }
  if (pipelineId === undefined) throw new Error('Ferry queued no pipeline for the merge into test');
  return { sha: merged.sha, pipelineId };
}

/** Follows a pipeline through Ferry's API until it ends (or `signal` aborts). */
export async function waitForPipeline(
  ferryUrl: string,
  pipelineId: string,
  signal?: AbortSignal,
): Promise<PipelineRecord> {
  for (;;) {
    signal?.throwIfAborted();
    const res = await fetch(`${ferryUrl}/api/v1/pipelines/${encodeURIComponent(pipelineId)}`, {
      ...(signal === undefined ? {} : { signal }),
    });
    if (res.ok) {
      const pipeline = (await res.json()) as PipelineRecord;
      if (isTerminalPipeline(pipeline.status)) return pipeline;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Asks the demo's Ferry to deploy a successful pipeline's image again (`ferry rollback ID`); returns the new pipeline. */
export async function rollbackDemo(
  world: DemoWorld,
  pipelineId: string,
  signal?: AbortSignal,
): Promise<string> {
  const res = await fetch(`${world.ferryUrl}/api/v1/pipelines/${encodeURIComponent(pipelineId)}/rollback`, {
    method: 'POST',
    headers: { authorization: `Bearer ${world.actionToken}`, 'content-type': 'application/json' },
    body: '{}',
    ...(signal === undefined ? {} : { signal }),
  });
  const body = (await res.json().catch(() => ({}))) as { id?: string; pipelineId?: string; message?: string };
  const id = body.pipelineId ?? body.id;
  if (res.status !== 201 || id === undefined)
    throw new Error(`Ferry refused the rollback to ${pipelineId}: ${res.status} ${body.message ?? ''}`);
  return id;
}
