import type { Executor, StageJob, StageResult } from '../../packages/server/src/executors/executor.js';
import { TextSink } from './docker-support.js';

/**
 * prepare → start → tail and wait together → destroy (always): one stage of any executor to its
 * end, with its log as text and how long it took (prepare to result).
 */
export async function runStageToEnd(
  executor: Executor,
  job: StageJob,
  timeoutMs = 120_000,
): Promise<{ result: StageResult; log: string; ms: number }> {
  const signal = AbortSignal.timeout(timeoutMs);
  const sink = new TextSink();
  const started = performance.now();
  const handle = await executor.prepare(job, signal);
  try {
    await executor.start(handle, signal);
    const [, result] = await Promise.all([
      executor.tail(handle, sink, signal),
      executor.wait(handle, signal),
    ]);
    return { result, log: sink.text, ms: performance.now() - started };
  } finally {
    await executor.destroy(handle, AbortSignal.timeout(60_000));
  }
}
