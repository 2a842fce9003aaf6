/**
 * What the install test reads from an installed Ferry, over HTTP through its Service as an operator
 * or GitLab would: a pipeline, its end, and its stage logs when it did not end as expected.
 */
import type { PipelineRecord } from '@ferry/shared';

const terminal = new Set(['success', 'failed', 'canceled', 'skipped']);

export function isTerminal(status: string): boolean {
  return terminal.has(status);
}

/** The pipeline as the API shows it, or undefined while the API does not answer 200. */
export async function readPipeline(url: string, id: string): Promise<PipelineRecord | undefined> {
  try {
    const res = await fetch(`${url}/api/v1/pipelines/${id}`, { signal: AbortSignal.timeout(10_000) });
    return res.status === 200 ? ((await res.json()) as PipelineRecord) : undefined;
  } catch {
    // A Ferry pod stopping or starting behind the Service: ask again.
    return undefined;
  }
}

/** Waits, through the API, for the pipeline to end; throws with its last state after `timeoutMs`. */
export async function pipelineEnd(url: string, id: string, timeoutMs: number): Promise<PipelineRecord> {
  const deadline = Date.now() + timeoutMs;
  let last: PipelineRecord | undefined;
  for (;;) {
    last = (await readPipeline(url, id)) ?? last;
    if (last !== undefined && isTerminal(last.status)) return last;
    if (Date.now() > deadline)
      throw new Error(
        `pipeline ${id} still ${last?.status ?? 'unknown'} after ${timeoutMs} ms: ${JSON.stringify(last?.stages)}`,
      );
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The pipeline's stages and the last lines of each stage's log: an assertion message that explains. */
export async function explainPipeline(url: string, p: PipelineRecord): Promise<string> {
  const parts = [`pipeline ${p.id} ${p.status}: ${JSON.stringify(p.stages)}`];
  for (const stage of p.stages) {
    if (stage.status === 'pending' || stage.status === 'skipped') continue;
    const res = await fetch(`${url}/api/v1/pipelines/${p.id}/stages/${stage.name}/log?format=text`, {
      signal: AbortSignal.timeout(10_000),
    }).catch((err: Error) => err);
    const text = res instanceof Error ? res.message : await res.text();
    parts.push(`--- ${stage.name} (${stage.status}) ---\n${text.split('\n').slice(-40).join('\n')}`);
  }
  return parts.join('\n');
}
