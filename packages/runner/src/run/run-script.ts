import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { buildStageScript, scriptSizeProblem } from '../script/build-stage-script.js';

export interface RunScriptOptions {
  commands: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /**
   * Run the shell in a process group of its own and forward signals to that group (default).
   * false: the shell stays in the runner's group, for callers that kill the whole group.
   */
  newGroup: boolean;
}

const FORWARDED = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'] as const;

/**
 * Runs the stage script (`buildStageScript`) with `/bin/sh -c`, stdout and stderr inherited (kept
 * apart, unbuffered), signals forwarded; resolves with the shell's exit code (128 + n when a
 * signal ended it). With a group of its own, whatever the script left running in that group is
 * killed when the shell exits, so no background process outlives the stage.
 */
export function runScript(options: RunScriptOptions, stderr: NodeJS.WritableStream): Promise<number> {
  const script = buildStageScript(options.commands);
  const problem = scriptSizeProblem(script);
  if (problem !== undefined) {
    stderr.write(`ferry-runner: ${problem}\n`);
    return Promise.resolve(2);
  }
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', script], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'inherit', 'inherit'],
      detached: options.newGroup,
    });
    const target = (pid: number) => (options.newGroup ? -pid : pid);
    const forward = (signal: NodeJS.Signals) => {
      if (child.pid !== undefined) signalQuietly(target(child.pid), signal);
    };
    for (const signal of FORWARDED) process.on(signal, forward);
    const done = (code: number) => {
      for (const signal of FORWARDED) process.off(signal, forward);
      if (options.newGroup && child.pid !== undefined) signalQuietly(-child.pid, 'SIGKILL');
      resolve(code);
    };
    child.on('error', (err) => {
      stderr.write(`ferry-runner: cannot start /bin/sh: ${err.message}\n`);
      done(127);
    });
    child.on('exit', (code, signal) => {
      done(code ?? 128 + (signal === null ? 0 : constants.signals[signal]));
    });
  });
}

function signalQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}
