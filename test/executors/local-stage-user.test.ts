import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GitServer, startGitServer, type TestRepo } from '@ferry/doubles/git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StageJob } from '../../packages/server/src/executors/executor.js';
import { LocalExecutor, resolveStageUser } from '../../packages/server/src/executors/local/index.js';
import type { LogSink, LogStream } from '../../packages/server/src/logs/log-sink.js';

/**
 * Issue 12: a local-executor stage could read `/proc/<ferry>/environ`, so every secret of Ferry's.
 * This process holds the executor as Ferry would, with a secret in its environment (as
 * FERRY_WEBHOOK_SECRET would be); Ferry runs as root here, so stages run as `ferry-stage`
 * (scripts/lib/services.sh creates it, as `npm run serve` does).
 */
describe('local executor as root: stages run as the unprivileged stage user', () => {
  const secret = `ferry-secret-${randomBytes(12).toString('hex')}`;
  let workDir: string;
  let git: GitServer;
  let repo: TestRepo;

  beforeAll(async () => {
    // The test machines run as root (docs/testing); this test is about exactly that case.
    expect(process.getuid?.(), 'this test needs Ferry to run as root').toBe(0);
    process.env.FERRY_TEST_PROBE_SECRET = secret;
    workDir = await mkdtemp(join(tmpdir(), 'ferry-stage-user-'));
    git = await startGitServer();
    repo = await git.createRepo('probe/app', { 'README.md': '# probe\n' }, 'main');
  });
  afterAll(async () => {
    delete process.env.FERRY_TEST_PROBE_SECRET;
    await git?.close();
    await rm(workDir, { recursive: true, force: true });
  });

  it('cannot read /proc/<ferry pid>/environ, sees none of Ferry’s environment, and owns its checkout', async () => {
    const runAs = resolveStageUser('ferry-stage');
    expect(runAs).toMatchObject({ name: 'ferry-stage' });
    expect(runAs?.uid).not.toBe(0);
    const executor = new LocalExecutor({ workDir, ...(runAs === undefined ? {} : { runAs }) });
    const job: StageJob = {
      pipelineId: `stage-user-${randomBytes(4).toString('hex')}`,
      stage: 'test',
      attempt: 1,
      project: { id: 1, path: 'probe/app', cloneUrl: repo.cloneUrl },
      ref: 'main',
      sha: await repo.head('main'),
      image: 'unused',
      script: [
        'echo "uid=$(id -u)"',
        `if cat /proc/${process.pid}/environ >/dev/null 2>&1; then echo "environ=READ"; else echo "environ=DENIED"; fi`,
        `if tr '\\0' '\\n' < /proc/${process.pid}/environ | grep -q FERRY_TEST_PROBE; then echo LEAKED; fi`,
        'env | sort',
        'cat README.md',
        'touch made-by-stage && echo wrote=ok',
      ],
      env: {},
      secretEnv: {},
      timeoutMs: 60_000,
      checkout: true,
    };
    const out: string[] = [];
    const sink: LogSink = { write: (_stream: LogStream, chunk: string) => void out.push(chunk) };
    const signal = AbortSignal.timeout(60_000);
    const handle = await executor.prepare(job, signal);
    let result: Awaited<ReturnType<LocalExecutor['wait']>>;
    try {
      await executor.start(handle, signal);
      [, result] = await Promise.all([executor.tail(handle, sink, signal), executor.wait(handle, signal)]);
    } finally {
      await executor.destroy(handle, AbortSignal.timeout(30_000));
    }
    const log = out.join('');
    expect(result, log).toMatchObject({ status: 'success' });
    expect(log).toContain(`uid=${runAs?.uid}`);
    expect(log).toContain('environ=DENIED');
    expect(log).not.toMatch(/^LEAKED$/m);
    expect(log).not.toContain(secret);
    expect(log).not.toMatch(/^FERRY_TEST_PROBE_SECRET=/m);
    expect(log).toContain('# probe');
    expect(log).toContain('wrote=ok');
  });

  it('refuses to start without the stage user, saying how to create it', () => {
    expect(() => resolveStageUser('ferry-no-such-user')).toThrow(
      expect.objectContaining({ code: 'FERRY_ERR_EXECUTOR_STAGE_USER_MISSING' }),
    );
    expect(resolveStageUser('root')).toBeUndefined();
    expect(resolveStageUser('ferry-stage', 1000)).toBeUndefined();
  });
});
