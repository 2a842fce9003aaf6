import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalExecutor, resolveStageUser } from '../../packages/server/src/executors/local/index.js';
import { executorConformance } from './conformance.js';
import { ensureRunnerBuilt } from './runner-build.js';

/** Processes whose environment points into `dir` (every local runner process has HOME there). */
async function processesUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of (await readdir('/proc')).filter((n) => /^\d+$/.test(n))) {
    try {
      const environ = await readFile(`/proc/${pid}/environ`, 'utf8');
      if (environ.split('\0').some((v) => v.startsWith(`HOME=${dir}/`))) found.push(`process ${pid}`);
    } catch {
      // Gone, or not ours to read.
    }
  }
  return found;
}

const variants = [
  { name: 'script via runner', scriptVia: 'runner', asStageUser: false },
  { name: 'script via sh', scriptVia: 'sh', asStageUser: false },
  // As `ferry serve` runs it when Ferry is root: the scripts as the unprivileged stage user.
  { name: 'as the stage user', scriptVia: 'runner', asStageUser: true },
] as const;

for (const { name, scriptVia, asStageUser } of variants) {
  executorConformance(`local (${name})`, async () => {
    await ensureRunnerBuilt();
    const workDir = await mkdtemp(join(tmpdir(), 'ferry-local-executor-'));
    const runAs = asStageUser ? resolveStageUser('ferry-stage', 0) : undefined;
    if (asStageUser && runAs === undefined) throw new Error('the stage user ferry-stage is missing');
    const make = () => new LocalExecutor({ workDir, scriptVia, ...(runAs === undefined ? {} : { runAs }) });
    return {
      executor: make(),
      restarted: make,
      leftovers: async () => [
        ...(await readdir(workDir)).map((name) => `directory ${name}`),
        ...(await processesUnder(workDir)),
      ],
      cleanup: () => rm(workDir, { recursive: true, force: true }),
    };
  });
}

describe('local executor: services', () => {
  it('refuses a job with services with a stable code and says which executors run them', async () => {
    await ensureRunnerBuilt();
    const workDir = await mkdtemp(join(tmpdir(), 'ferry-local-executor-'));
    try {
      const executor = new LocalExecutor({ workDir });
      const job = {
        pipelineId: 'p-local-services',
        stage: 'test' as const,
        attempt: 1,
        project: { id: 1, path: 'group/app', cloneUrl: 'http://127.0.0.1:1/none.git' },
        ref: 'main',
        sha: 'a'.repeat(40),
        image: 'unused',
        script: ['true'],
        env: {},
        secretEnv: {},
        timeoutMs: 10_000,
        checkout: false,
        services: [{ name: 'redis', image: 'redis:7', env: {}, readyTcp: 6379, readyTimeoutMs: 1000 }],
      };
      const refused = executor.prepare(job, AbortSignal.timeout(10_000));
      await expect(refused).rejects.toMatchObject({ code: 'FERRY_ERR_EXECUTOR_INVALID_JOB' });
      await expect(refused).rejects.toThrow(/local executor runs no services.*docker or kubernetes/);
      expect(await readdir(workDir)).toEqual([]);
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  });
});
