import { RUNNER_CONTRACT_VERSION, RunnerEnv, readResult } from '@ferry/shared';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildCommand } from '../build/build-command.js';
import { deployCommand } from '../deploy/deploy-command.js';
import { ReleaseExit } from './command-run.js';

type Factory = (
  setExit: (code: number) => void,
  env: Record<string, string | undefined>,
  io: { stdout: { write(t: string): unknown }; stderr: { write(t: string): unknown } },
) => Command;

async function run(factory: Factory, env: Record<string, string>) {
  let exit = -1;
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
  };
  await factory((code) => (exit = code), env, io).parseAsync([], { from: 'user' });
  return { exit, stdout, stderr };
}

describe.each([
  ['build', buildCommand],
  ['deploy', deployCommand],
] as const)('ferry-runner %s and the contract version the server sends', (kind, factory) => {
  it('refuses a job from a server of another contract version before reading it', async () => {
    const out = await run(factory, { [RunnerEnv.contractVersion]: String(RUNNER_CONTRACT_VERSION + 1) });
    expect(out.exit).toBe(ReleaseExit.invalid);
    expect(out.stderr).toContain('FERRY_ERR_RUNNER_CONTRACT_MISMATCH');
    const read = readResult(out.stdout, kind);
    expect(read.kind === 'result' && 'error' in read.result && read.result.error.code).toBe(
      'FERRY_ERR_RUNNER_CONTRACT_MISMATCH',
    );
  });

  it('reads the job when the versions agree (here: an invalid job, for want of variables)', async () => {
    const out = await run(factory, { [RunnerEnv.contractVersion]: String(RUNNER_CONTRACT_VERSION) });
    expect(out.exit).toBe(ReleaseExit.invalid);
    const read = readResult(out.stdout, kind);
    expect(read.kind === 'result' && 'error' in read.result && read.result.error.code).toBe(
      'FERRY_ERR_RELEASE_INVALID_JOB',
    );
  });
});
