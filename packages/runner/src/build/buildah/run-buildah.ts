import { spawn } from 'node:child_process';
import type { OutputLines } from '../../command/output-lines.js';

export interface BuildahRun {
  readonly exitCode: number;
  /** The last lines buildah printed (stdout and stderr), for the error message. */
  readonly tail: readonly string[];
}

const TAIL_LINES = 12;
/** How long buildah gets after SIGTERM to unmount and remove its working containers. */
const KILL_GRACE_MS = 10_000;

/**
 * Runs `buildah …args` with `env`, its output streamed into `out` line by line. On abort buildah
 * gets SIGTERM (SIGKILL after a grace period) and the call rejects once it has exited, so nothing
 * of it outlives the stage. Resolves with the exit code otherwise.
 */
export async function runBuildah(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  out: OutputLines,
  signal: AbortSignal,
): Promise<BuildahRun> {
  signal.throwIfAborted();
  const tail: string[] = [];
  let partial = '';
  const keep = (text: string) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') tail.push(line);
    tail.splice(0, Math.max(0, tail.length - TAIL_LINES));
  };
  const child = spawn('buildah', [...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (text: string) => {
      out.write(text);
      keep(text);
    });
  }
  let killTimer: NodeJS.Timeout | undefined;
  const stop = () => {
    child.kill('SIGTERM');
    killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
  };
  signal.addEventListener('abort', stop, { once: true });
  try {
    const exitCode = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, sig) => resolve(code ?? (sig === null ? 1 : 128)));
    });
    out.flush();
    if (partial.trim() !== '') tail.push(partial);
    signal.throwIfAborted();
    return { exitCode, tail };
  } finally {
    signal.removeEventListener('abort', stop);
    if (killTimer !== undefined) clearTimeout(killTimer);
  }
}
