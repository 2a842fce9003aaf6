import type { Command } from 'commander';
import { type CliIo, processIo } from './client/cli-io.js';
import { registerActions } from './commands/actions.js';
import { registerCompletion } from './commands/completion.js';
import { registerLogin } from './commands/login.js';
import { registerLogs } from './commands/logs.js';
import { registerPipelines } from './commands/pipelines.js';

/**
 * The commands that talk to a running Ferry through its REST API (docs/cli.md): login and
 * contexts, listing and reading pipelines and logs, and the actions. Ctrl-C aborts a follower.
 */
export function registerClientCommands(program: Command): void {
  let shared: CliIo | undefined;
  const io = (): CliIo => {
    if (shared !== undefined) return shared;
    const stop = new AbortController();
    process.once('SIGINT', () => stop.abort());
    shared = processIo(stop.signal);
    return shared;
  };
  registerLogin(program, io);
  registerPipelines(program, io);
  registerLogs(program, io);
  registerActions(program, io);
  registerCompletion(program, (s) => process.stdout.write(s));
}
