import {
  type CanaryStepRecord,
  type PipelineStatus,
  pipelineStatuses,
  type StageName,
  type StageStatus,
  stageNames,
  stageStatuses,
} from '@ferry/shared';
import type { Transition } from '../reporter.js';

/** A raw stream entry as ioredis returns it: `[id, [field, value, field, value, …]]`. */
export type StreamEntry = [id: string, fields: string[]];

const pipelineStatusSet: ReadonlySet<string> = new Set(pipelineStatuses);
const stageStatusSet: ReadonlySet<string> = new Set(stageStatuses);
const stageNameSet: ReadonlySet<string> = new Set(stageNames);
const canaryStates: ReadonlySet<string> = new Set(['running', 'promoted', 'aborted']);

/** The transition an events-stream entry records; undefined for entries that are not one. */
export function toTransition([id, fields]: StreamEntry): Transition | undefined {
  const f = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i] as string, fields[i + 1] as string);
  const pipelineId = f.get('id');
  const status = f.get('status');
  const at = f.get('at') ?? '';
  if (pipelineId === undefined || status === undefined) return undefined;
  if (f.get('kind') === 'pipeline' && pipelineStatusSet.has(status)) {
    return { id, kind: 'pipeline', pipelineId, status: status as PipelineStatus, at };
  }
  const stage = f.get('stage');
  if (
    f.get('kind') === 'stage' &&
    stage !== undefined &&
    stageNameSet.has(stage) &&
    stageStatusSet.has(status)
  ) {
    return { id, kind: 'stage', pipelineId, stage: stage as StageName, status: status as StageStatus, at };
  }
  if (f.get('kind') === 'canary' && canaryStates.has(status)) {
    const step = Number(f.get('step'));
    const of = Number(f.get('of'));
    const percent = Number(f.get('percent'));
    if (![step, of, percent].every((n) => Number.isInteger(n) && n > 0)) return undefined;
    return {
      id,
      kind: 'canary',
      pipelineId,
      step,
      of,
      percent,
      status: status as CanaryStepRecord['state'],
      at,
    };
  }
  return undefined;
}
