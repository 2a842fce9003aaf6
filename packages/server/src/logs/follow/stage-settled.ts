import { isTerminalPipeline, isTerminalStage, type PipelineRecord } from '@ferry/shared';

/**
 * Whether a stage log (`test`, `build`, `deploy` or a test job's `test:<job>`) will get no more
 * lines: the pipeline is gone or ended (a stage still pending then never runs), the stage is not in
 * the pipeline (disabled in its spec), or the stage (or job) has ended. A follower of such a log
 * reads what is there and ends instead of waiting for lines that never come.
 */
export function stageSettled(record: PipelineRecord | undefined, logKey: string): boolean {
  if (record === undefined || isTerminalPipeline(record.status)) return true;
  const [name, job] = logKey.split(':', 2);
  const stage = record.stages.find((s) => s.name === name);
  if (stage === undefined) return true;
  if (isTerminalStage(stage.status)) return true;
  if (job === undefined) return false;
  const jobRecord = stage.jobs?.find((j) => j.name === job);
  // A job the stage does not have (yet: jobs are recorded when the stage starts) may still come.
  if (jobRecord === undefined) return stage.jobs !== undefined && stage.status === 'running';
  return isTerminalStage(jobRecord.status);
}
