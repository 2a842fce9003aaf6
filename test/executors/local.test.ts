import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalExecutor } from '../../packages/server/src/executors/local/index.js';
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

for (const scriptVia of ['runner', 'sh'] as const) {
  executorConformance(`local (script via ${scriptVia})`, async () => {
    await ensureRunnerBuilt();
    const workDir = await mkdtemp(join(tmpdir(), 'ferry-local-executor-'));
    return {
      executor: new LocalExecutor({ workDir, scriptVia }),
      leftovers: async () => [
        ...(await readdir(workDir)).map((name) => `directory ${name}`),
        ...(await processesUnder(workDir)),
      ],
      cleanup: () => rm(workDir, { recursive: true, force: true }),
    };
  });
}
