import { isTerminalPipeline, type PipelineRecord } from '@ferry/shared';
import type { FerryApi } from './ferry-api.js';

/**
 * The pipeline each time it may have changed (once the event stream is live, then on each of its
 * transitions), watched over `GET /events?pipeline=ID` rather than polled; across reconnects the
 * stream resumes from the last event. Ends after the pipeline is seen in a terminal state.
 */
export async function* pipelineUpdates(
  api: FerryApi,
  id: string,
  signal: AbortSignal,
): AsyncGenerator<PipelineRecord> {
  const stop = new AbortController();
  const both = AbortSignal.any([signal, stop.signal]);
  try {
    for await (const event of api.events(`/events?pipeline=${encodeURIComponent(id)}`, { signal: both })) {
      if (event.event !== 'ready' && event.event !== 'transition') continue;
      const p = await api.getPatiently<PipelineRecord>(`/pipelines/${encodeURIComponent(id)}`, both);
      yield p;
      if (isTerminalPipeline(p.status)) return;
    }
  } finally {
    stop.abort();
  }
}

/** The first state of the pipeline for which `done` holds (or its terminal state). */
export async function waitForPipeline(
  api: FerryApi,
  id: string,
  done: (p: PipelineRecord) => boolean,
  signal: AbortSignal,
): Promise<PipelineRecord | undefined> {
  let last: PipelineRecord | undefined;
  for await (const p of pipelineUpdates(api, id, signal)) {
    last = p;
    if (done(p)) return p;
  }
  return last;
}

/** What changed between two states of a pipeline, as lines for a terminal. Pure. */
export function changeLines(before: PipelineRecord | undefined, now: PipelineRecord): string[] {
  const lines: string[] = [];
  for (const stage of now.stages) {
    const was = before?.stages.find((s) => s.name === stage.name)?.status;
    if (was !== stage.status && !(was === undefined && stage.status === 'pending'))
      lines.push(`  ${stage.name}: ${stage.status}${stage.reason === undefined ? '' : ` (${stage.reason})`}`);
  }
  if (before?.status !== now.status)
    lines.push(`pipeline ${now.id}: ${now.status}${now.reason === undefined ? '' : ` (${now.reason})`}`);
  return lines;
}
