import { buildStageScript } from '@ferry/runner';
import { exitTrap, REPORTS_EXIT_HOOK, reportsEpilogue } from '@ferry/shared';
import type { StageJob } from './executor.js';

/**
 * The shell a runner runs for a job: its commands, and one EXIT trap that runs what must happen
 * after them, also when they fail: for a test job with `reports.junit` printing the report files
 * (runner contract, report-lines.ts), then the executor's own `exitHooks` (the kubernetes step
 * records its exit code for cache-save), each reading the status in `$ferry_status`. Every
 * executor runs this same text.
 */
export function stageScript(
  job: Pick<StageJob, 'script' | 'testJob'>,
  exitHooks: readonly string[] = [],
): string {
  const glob = job.testJob?.reports.junit;
  const reports = glob === null || glob === undefined ? undefined : reportsEpilogue(glob);
  const hooks = [...(reports === undefined ? [] : [REPORTS_EXIT_HOOK]), ...exitHooks];
  const prologue = [
    ...(reports === undefined ? [] : [reports]),
    ...(hooks.length === 0 ? [] : [exitTrap(hooks)]),
  ];
  return buildStageScript(job.script, prologue.join('\n'));
}
