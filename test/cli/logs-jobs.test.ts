import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliWorld, deployerToken, projectPath, startCliWorld } from './cli-world.js';

// `ferry logs --job` against a running Ferry whose test stage runs two jobs side by side.
describe('ferry logs of parallel test jobs', () => {
  let w: CliWorld;
  let id: string;
  beforeAll(async () => {
    w = await startCliWorld({ jobs: true });
    const login = await w.cli(['login', w.ferry.url, '--name', 'ci'], { input: `${deployerToken}\n` });
    expect(login.code, login.stderr).toBe(0);
    await w.push('test', 'echo unit-says-fine\n');
    const run = await w.cli(['trigger', projectPath, '--env', 'test', '--watch']);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    id = /pipeline ([0-9a-z]{6,40}) queued/.exec(run.stdout)?.[1] as string;
  });
  afterAll(async () => w?.close());

  it('--job prints that job’s own log and nothing of the other', async () => {
    const unit = await w.cli(['logs', id, '--job', 'unit']);
    expect(unit.code, unit.stderr).toBe(0);
    expect(unit.stdout).toContain('unit-says-fine');
    expect(unit.stdout).toContain('ferry: test job unit success');
    expect(unit.stdout).not.toContain('lint-says-fine');
    expect(unit.stdout).not.toContain('==>');
    const lint = await w.cli(['logs', id, 'test', '--job', 'lint']);
    expect(lint.code, lint.stderr).toBe(0);
    expect(lint.stdout).toContain('lint-says-fine');
    expect(lint.stdout).not.toContain('unit-says-fine');
  });

  it('-f --job follows a finished job to its end (exit: the pipeline’s)', async () => {
    const run = await w.cli(['logs', id, '--job', 'lint', '-f']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('lint-says-fine');
  });

  it('without --job the test stage shows its summary, then each job under its own header', async () => {
    const run = await w.cli(['logs', id, 'test']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /==> test <==\n[\s\S]*2 jobs side by side[\s\S]*==> test:unit <==\n[\s\S]*unit-says-fine/,
    );
    expect(run.stdout).toMatch(/==> test:lint <==\n[\s\S]*lint-says-fine/);
  });

  it('an unknown job, or --job with another stage, is an invalid argument (exit 6) naming the jobs', async () => {
    const unknown = await w.cli(['logs', id, '--job', 'nope']);
    expect(unknown.code).toBe(6);
    expect(unknown.stderr).toContain('FERRY_ERR_CLI_INVALID_ARGUMENT');
    expect(unknown.stderr).toMatch(/unit, lint|lint, unit/);
    const build = await w.cli(['logs', id, 'build', '--job', 'unit']);
    expect(build.code).toBe(6);
    expect(build.stderr).toContain('--job names a job of the test stage');
  });
});
