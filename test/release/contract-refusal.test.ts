import { RUNNER_CONTRACT_VERSION, RunnerEnv } from '@ferry/shared';
import { describe, expect, it } from 'vitest';
import { buildCommand } from '../../packages/runner/src/build/build-command.js';
import { ReleaseExit } from '../../packages/runner/src/command/command-run.js';
import { deployCommand } from '../../packages/runner/src/deploy/deploy-command.js';
import { errorOf, runSubcommand } from './release-support.js';

describe.each([
  ['build', buildCommand],
  ['deploy', deployCommand],
] as const)('ferry-runner %s and the contract version the server sends', (_kind, factory) => {
  it('refuses a job from a server of another contract version before reading it', async () => {
    const run = await runSubcommand(factory, {
      [RunnerEnv.contractVersion]: String(RUNNER_CONTRACT_VERSION + 1),
    });
    expect(run.exit).toBe(ReleaseExit.invalid);
    expect(run.stderr).toContain('FERRY_ERR_RUNNER_CONTRACT_MISMATCH');
    expect(errorOf(run).code).toBe('FERRY_ERR_RUNNER_CONTRACT_MISMATCH');
  });

  it('reads the job when the versions agree (here: an invalid job, for want of variables)', async () => {
    const run = await runSubcommand(factory, {
      [RunnerEnv.contractVersion]: String(RUNNER_CONTRACT_VERSION),
    });
    expect(run.exit).toBe(ReleaseExit.invalid);
    expect(errorOf(run).code).toBe('FERRY_ERR_RELEASE_INVALID_JOB');
  });
});
