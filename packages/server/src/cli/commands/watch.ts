import type { PipelineRecord } from '@ferry/shared';
import type { CliIo } from '../client/cli-io.js';
import { ExitCode } from '../client/exit-codes.js';
import type { FerryApi } from '../client/ferry-api.js';
import { changeLines, pipelineUpdates } from '../client/follow-pipeline.js';

/** Prints a pipeline's transitions until it ends; 0 when it succeeded, 1 otherwise. */
export async function watchPipeline(api: FerryApi, id: string, io: CliIo): Promise<number> {
  let last: PipelineRecord | undefined;
  for await (const p of pipelineUpdates(api, id, io.signal)) {
    for (const line of changeLines(last, p)) io.out.write(`${line}\n`);
    last = p;
  }
  if (io.signal.aborted) return 130;
  return last?.status === 'success' ? ExitCode.ok : ExitCode.pipelineFailed;
}
