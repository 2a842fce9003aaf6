import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import type { PipelineRecord } from '@ferry/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { TcpRelay } from '../support/tcp-relay.js';
import { type CliWorld, deployerToken, projectPath, startCliWorld, viewerToken } from './cli-world.js';

// Every `ferry` client command as a user runs it: the built binary as a process, against a real
// `ferry serve` (local executor, the test Redis), logged in through `ferry login`.
describe('the ferry CLI against a running Ferry', () => {
  let w: CliWorld;
  beforeAll(async () => {
    w = await startCliWorld();
  });
  afterAll(async () => w?.close());

  const pipelineIdOf = (out: string) => /pipeline ([0-9a-z]{6,40}) queued/.exec(out)?.[1] as string;
  async function getJson(id: string): Promise<PipelineRecord> {
    const run = await w.cli(['get', id, '-o', 'json']);
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as PipelineRecord;
  }

  it('says how to log in before any context exists (exit 3, FERRY_ERR_CLI_NOT_LOGGED_IN)', async () => {
    const run = await w.cli(['pipelines']);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('FERRY_ERR_CLI_NOT_LOGGED_IN');
    expect(run.stderr).toContain('ferry login URL');
  });

  it('login refuses a token the server does not know (the API code, exit 3) and keeps nothing', async () => {
    const run = await w.cli(['login', w.ferry.url, '--name', 'bad'], { input: 'not-a-token-at-all\n' });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('FERRY_ERR_API_UNAUTHENTICATED');
    expect((await w.cli(['context'])).stdout).not.toContain('bad');
  });

  it('login reads the token from stdin, checks it, and keeps it in a 0600 file as the current context', async () => {
    const viewer = await w.cli(['login', w.ferry.url, '--name', 'view'], { input: `${viewerToken}\n` });
    expect(viewer.code, viewer.stderr).toBe(0);
    expect(viewer.stdout).toContain('as dashboard (viewer)');
    const run = await w.cli(['login', w.ferry.url, '--name', 'ci'], { input: `${deployerToken}\n` });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('as release-bot (deployer)');
    expect(statSync(w.cliConfig).mode & 0o777).toBe(0o600);
    // The token never appears in what the CLI prints.
    expect(run.stdout + run.stderr).not.toContain(deployerToken);
    const list = await w.cli(['context']);
    expect(list.stdout).toMatch(/^\* ci\t/m);
    expect(list.stdout).toMatch(/^ {2}view\t/m);
  });

  it('context switches, and an unknown one is exit 4 with FERRY_ERR_CLI_CONTEXT_UNKNOWN', async () => {
    expect((await w.cli(['context', 'view'])).code).toBe(0);
    const refused = await w.cli(['retry', 'abcdef12']);
    // The viewer token cannot act: the API's 403 and code, exit 3.
    expect([refused.code, refused.stderr.includes('FERRY_ERR_API_FORBIDDEN')]).toEqual([3, true]);
    expect((await w.cli(['context', 'ci'])).code).toBe(0);
    const unknown = await w.cli(['context', 'nope']);
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toContain('FERRY_ERR_CLI_CONTEXT_UNKNOWN');
  });

  it('trigger --watch follows a pipeline to success (exit 0); logs prints it with ANSI stripped off a terminal', async () => {
    await w.push('test', "printf '\\033[32mall green\\033[0m\\n'\n");
    const run = await w.cli(['trigger', projectPath, '--env', 'test', '--watch']);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const id = pipelineIdOf(run.stdout);
    expect(run.stdout).toContain('  test: success');
    expect(run.stdout).toContain(`pipeline ${id}: success`);
    const logs = await w.cli(['logs', id, 'test']);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toContain('all green');
    expect(logs.stdout).not.toContain('\u001b[');
    const p = await getJson(id);
    expect(p).toMatchObject({
      status: 'success',
      environment: 'test',
      trigger: 'manual',
      user: { username: 'release-bot' },
    });
  });

  it('trigger --watch of a failing commit exits 1; an unknown environment is exit 6', async () => {
    const sha = await w.push('staging', 'echo broken >&2; exit 3\n');
    const run = await w.cli(['trigger', projectPath, '--env', 'staging', '--sha', sha, '--watch']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/test: failed/);
    const bad = await w.cli(['trigger', projectPath, '--env', 'qa']);
    expect(bad.code).toBe(6);
    expect(bad.stderr).toContain('FERRY_ERR_CLI_INVALID_ARGUMENT');
  });

  it('pipelines lists with filters in table, wide, json and yaml; get reads one', async () => {
    const table = await w.cli(['pipelines', '--env', 'staging']);
    expect(table.code, table.stderr).toBe(0);
    const [header, ...rows] = table.stdout.trim().split('\n');
    expect(header).toMatch(/^ID\s+PROJECT\s+ENVIRONMENT\s+STATUS\s+STAGES\s+COMMIT\s+AGE$/);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toContain(' staging ');
    const wide = await w.cli(['pipelines', '-o', 'wide', '--status', 'success']);
    expect(wide.stdout.split('\n')[0]).toContain('TRIGGER');
    const json = JSON.parse((await w.cli(['pipelines', '-o', 'json', '--status', 'failed'])).stdout) as {
      items: PipelineRecord[];
    };
    expect(json.items.length).toBeGreaterThan(0);
    expect(json.items.every((p) => p.status === 'failed')).toBe(true);
    const one = json.items[0] as PipelineRecord;
    const yaml = parse((await w.cli(['get', one.id, '-o', 'yaml'])).stdout) as PipelineRecord;
    expect(yaml).toMatchObject({ id: one.id, status: 'failed', project: { path: projectPath } });
    const missing = await w.cli(['get', 'zzzzzzzz']);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain('FERRY_ERR_PIPELINE_NOT_FOUND');
  });

  it('logs -f follows a running stage, across a dropped connection, each line once (Last-Event-ID)', async () => {
    const script = 'for i in 1 2 3 4 5 6 7 8; do echo "tick $i"; sleep 0.5; done\n';
    await w.push('test', script);
    const trig = await w.cli(['trigger', projectPath, '--env', 'test']);
    const id = pipelineIdOf(trig.stdout);
    const relay = new TcpRelay(Number(new URL(w.ferry.url).port));
    await relay.up();
    const follower = w.start(['logs', id, 'test', '-f', '--server', `http://127.0.0.1:${relay.port}`], {
      FERRY_TOKEN: viewerToken,
    });
    // Cut every connection while it streams, then let it reconnect.
    await new Promise((r) => setTimeout(r, 1800));
    await relay.down();
    await new Promise((r) => setTimeout(r, 600));
    await relay.up();
    const run = await follower.result;
    await relay.down();
    expect(run.code, run.stderr).toBe(0);
    const ticks = run.stdout.split('\n').filter((l) => l.startsWith('tick '));
    expect(ticks).toEqual(['1', '2', '3', '4', '5', '6', '7', '8'].map((n) => `tick ${n}`));
  });

  it('cancel stops a running pipeline; retry runs it again (a new pipeline) and --watch follows it', async () => {
    await w.push('test', 'sleep 30\n');
    const trig = await w.cli(['trigger', projectPath, '--env', 'test']);
    const id = pipelineIdOf(trig.stdout);
    await expect
      .poll(async () => (await getJson(id)).stages.find((s) => s.name === 'test')?.status, {
        timeout: 30_000,
      })
      .toBe('running');
    const cancel = await w.cli(['cancel', id, '--watch']);
    expect(cancel.stdout).toContain(`pipeline ${id}: cancel done`);
    expect(cancel.code).toBe(1);
    expect((await getJson(id)).status).toBe('canceled');
    const again = await w.cli(['cancel', id]);
    expect([again.code, again.stderr.includes('FERRY_ERR_PIPELINE_NOT_CANCELABLE')]).toEqual([5, true]);
    const retry = await w.cli(['retry', id]);
    expect(retry.code, retry.stderr).toBe(0);
    const newId = pipelineIdOf(retry.stdout);
    expect(newId).not.toBe(id);
    expect(await getJson(newId)).toMatchObject({ trigger: 'retry', retryOf: id });
    expect((await w.cli(['cancel', newId])).code).toBe(0);
  }, 90_000);

  it('promote and abort of a pipeline without a running canary, and rollback of one without an image, are exit 5', async () => {
    const list = JSON.parse((await w.cli(['pipelines', '-o', 'json', '--status', 'success'])).stdout) as {
      items: PipelineRecord[];
    };
    const id = (list.items[0] as PipelineRecord).id;
    for (const action of ['promote', 'abort']) {
      const run = await w.cli([action, id]);
      expect(run.code).toBe(5);
      expect(run.stderr).toContain('FERRY_ERR_PIPELINE_NO_CANARY_STEP');
    }
    const rollback = await w.cli(['rollback', id, '--watch']);
    expect(rollback.code).toBe(5);
    expect(rollback.stderr).toContain('FERRY_ERR_PIPELINE_NOT_ROLLBACKABLE');
  });

  it('an unreachable server is exit 7 with FERRY_ERR_CLI_UNREACHABLE', async () => {
    const run = await w.cli(['pipelines', '--server', 'http://127.0.0.1:9']);
    expect(run.code).toBe(7);
    expect(run.stderr).toContain('FERRY_ERR_CLI_UNREACHABLE');
  });

  it('completion prints bash and zsh scripts the shells accept, naming every command', async () => {
    const bash = await w.cli(['completion', 'bash']);
    expect(bash.code).toBe(0);
    execFileSync('bash', ['-n'], { input: bash.stdout });
    for (const command of [
      'login',
      'context',
      'pipelines',
      'get',
      'logs',
      'trigger',
      'cancel',
      'retry',
      'approve',
      'promote',
      'abort',
      'rollback',
    ])
      expect(bash.stdout).toContain(command);
    expect(bash.stdout).toContain('--watch');
    const zsh = await w.cli(['completion', 'zsh']);
    expect(zsh.stdout.startsWith('#compdef ferry')).toBe(true);
    expect((await w.cli(['completion', 'fish'])).code).toBe(2);
  });
});

describe('ferry approve against a running Ferry whose prod deploys wait for approval', () => {
  let w: CliWorld;
  beforeAll(async () => {
    w = await startCliWorld({ deploy: true });
  });
  afterAll(async () => w?.close());

  async function getJson(id: string): Promise<PipelineRecord> {
    return JSON.parse((await w.cli(['get', id, '-o', 'json'])).stdout) as PipelineRecord;
  }

  it('approve lets a deploy waiting for approval go on; approving again is exit 5', async () => {
    await w.cli(['login', w.ferry.url], { input: `${deployerToken}\n` });
    // The merge into master makes prod's pipeline: test, build, then the gate.
    await w.push('master', 'echo prod tests\n');
    const listed = await w.cli(['pipelines', '--env', 'prod', '-o', 'json']);
    const id = (JSON.parse(listed.stdout) as { items: PipelineRecord[] }).items[0]?.id as string;
    expect(id).toBeDefined();
    await expect.poll(async () => (await getJson(id)).status, { timeout: 90_000 }).toBe('waiting_approval');
    const approve = await w.cli(['approve', id]);
    expect(approve.code, approve.stderr).toBe(0);
    expect((await getJson(id)).approval?.approvedBy).toBe('release-bot');
    const twice = await w.cli(['approve', id]);
    expect([twice.code, twice.stderr.includes('FERRY_ERR_PIPELINE_NOT_WAITING_APPROVAL')]).toEqual([5, true]);
  }, 180_000);
});
