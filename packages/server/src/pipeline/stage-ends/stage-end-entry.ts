import type { RunnerResult, StageRecord } from '@ferry/shared';

/**
 * The end of one attempt of one stage, as it waits to be stored: the finished record, what the
 * build or deploy runner printed (image, rollout: recorded before the end), and the runners kept
 * until the end is stored (destroyed afterwards, so a Ferry that takes the pipeline over before
 * the end arrives can still adopt them).
 */
export interface StageEndEntry {
  version: 1;
  pipelineId: string;
  stage: StageRecord;
  printed?: RunnerResult;
  runners: string[];
}

/** Reads an entry written by `StageEndJournal`; undefined when it is not one. Pure. */
export function parseStageEndEntry(text: string): StageEndEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Partial<StageEndEntry>;
  if (v.version !== 1 || typeof v.pipelineId !== 'string' || !Array.isArray(v.runners)) return undefined;
  const stage = v.stage as Partial<StageRecord> | undefined;
  if (
    typeof stage?.name !== 'string' ||
    typeof stage.status !== 'string' ||
    typeof stage.attempts !== 'number'
  )
    return undefined;
  if (!v.runners.every((r) => typeof r === 'string')) return undefined;
  return v as StageEndEntry;
}

/** The entry's file name: one per pipeline, stage and attempt (a rewrite replaces it). Pure. */
export function stageEndFileName(entry: Pick<StageEndEntry, 'pipelineId' | 'stage'>): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);
  return `${safe(entry.pipelineId)}.${safe(entry.stage.name)}.${entry.stage.attempts}.json`;
}
