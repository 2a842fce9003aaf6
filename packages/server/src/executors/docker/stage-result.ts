import type { StageResult } from '../executor.js';

/** How a stage ended from its step container's final State. */
export function stepResult(
  state: { ExitCode?: number; OOMKilled?: boolean; Error?: string },
  memory?: string,
): StageResult {
  const exitCode = state.ExitCode ?? -1;
  if (state.OOMKilled) {
    return {
      status: 'failed',
      exitCode,
      reason:
        memory === undefined ? 'OOMKilled' : `OOMKilled: the stage used more than its ${memory} of memory`,
    };
  }
  if (state.Error !== undefined && state.Error !== '') {
    return { status: 'failed', exitCode, reason: `the container failed: ${state.Error}` };
  }
  if (exitCode === 0) return { status: 'success', exitCode: 0 };
  return { status: 'failed', exitCode, reason: `exit code ${exitCode}` };
}
