import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GroupRef } from './process-group.js';

/**
 * What a local runner's directory says about it (`state.json`), so `list` and `destroy` work after
 * a Ferry restart. Holds no secret and no command: only ids and the running process group.
 */
export interface RunnerState {
  version: 1;
  id: string;
  pipelineId: string;
  stage: string;
  attempt: number;
  projectPath: string;
  sha: string;
  createdAt: string;
  /** The process group running now (clone, then the script), once started. */
  group?: GroupRef;
}

export const STATE_FILE = 'state.json';

export function parseRunnerState(text: string): RunnerState | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (v.version !== 1 || typeof v.id !== 'string' || typeof v.pipelineId !== 'string') return undefined;
  if (typeof v.stage !== 'string' || typeof v.createdAt !== 'string') return undefined;
  const state: RunnerState = {
    version: 1,
    id: v.id,
    pipelineId: v.pipelineId,
    stage: v.stage,
    attempt: typeof v.attempt === 'number' ? v.attempt : 0,
    projectPath: typeof v.projectPath === 'string' ? v.projectPath : '',
    sha: typeof v.sha === 'string' ? v.sha : '',
    createdAt: v.createdAt,
  };
  const group = v.group as Record<string, unknown> | undefined;
  if (typeof group?.pgid === 'number' && Number.isInteger(group.pgid) && group.pgid > 1) {
    state.group = { pgid: group.pgid };
    if (typeof group.startTicks === 'number') state.group.startTicks = group.startTicks;
  }
  return state;
}

export async function readRunnerState(runnerDir: string): Promise<RunnerState | undefined> {
  try {
    return parseRunnerState(await readFile(join(runnerDir, STATE_FILE), 'utf8'));
  } catch {
    return undefined;
  }
}

/** Writes the state atomically (a reader never sees half a file). */
export async function writeRunnerState(runnerDir: string, state: RunnerState): Promise<void> {
  const file = join(runnerDir, STATE_FILE);
  await writeFile(`${file}.tmp`, `${JSON.stringify(state)}\n`, { mode: 0o600 });
  await rename(`${file}.tmp`, file);
}
