import type { PipelineStatus, StageStatus } from './pipeline.js';

/** Allowed pipeline transitions; anything else is a bug and is refused. */
const pipelineMoves: Readonly<Record<PipelineStatus, readonly PipelineStatus[]>> = {
  queued: ['running', 'canceled', 'skipped', 'failed'],
  running: ['waiting_approval', 'success', 'failed', 'canceled', 'queued'],
  waiting_approval: ['running', 'failed', 'canceled', 'queued'],
  success: [],
  failed: [],
  canceled: [],
  skipped: [],
};

const stageMoves: Readonly<Record<StageStatus, readonly StageStatus[]>> = {
  pending: ['running', 'skipped', 'canceled', 'failed'],
  // running → running: a crash-recovered stage starts a new attempt.
  running: ['running', 'success', 'failed', 'canceled'],
  success: [],
  failed: [],
  canceled: [],
  skipped: [],
};

export function canMovePipeline(from: PipelineStatus, to: PipelineStatus): boolean {
  return pipelineMoves[from].includes(to);
}

export function canMoveStage(from: StageStatus, to: StageStatus): boolean {
  return stageMoves[from].includes(to);
}
