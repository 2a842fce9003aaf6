import type { Command } from 'commander';
import { CliFailure } from '../client/cli-failure.js';
import type { CliIo } from '../client/cli-io.js';
import { resolveTarget, type ServerChoice } from '../client/contexts.js';
import { ExitCode } from '../client/exit-codes.js';
import { FerryApi } from '../client/ferry-api.js';

/** --server and --context, on every command that talks to a Ferry server. */
export function withTarget(command: Command): Command {
  return command
    .option('-s, --server <url>', 'Ferry server (default: $FERRY_URL, else the current context)')
    .option('--context <name>', 'a context of `ferry login` (default: $FERRY_CONTEXT, else the current one)');
}

/**
 * Runs a client command: its CliFailures (the API's error answers and the CLI's own) are printed
 * as `ferry: CODE: message` on stderr and become the documented exit code.
 */
export async function runClient(
  io: CliIo,
  choice: ServerChoice,
  body: (api: FerryApi) => Promise<number>,
): Promise<number> {
  return runCaught(io, async () => body(new FerryApi(resolveTarget(choice, io.env))));
}

export async function runCaught(io: CliIo, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof CliFailure) {
      io.err.write(`ferry: ${err.code}: ${err.message}\n`);
      return err.exitCode;
    }
    if (io.signal.aborted) return 130;
    io.err.write(`ferry: ${(err as Error).message}\n`);
    return ExitCode.unavailable;
  }
}
