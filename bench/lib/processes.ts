import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const tsx = createRequire(import.meta.url).resolve('tsx/cli');

export interface GitServerProcess {
  cloneUrl: string;
  sha: string;
  child: ChildProcess;
  close(): Promise<void>;
}

/** Starts bench/lib/git-server-process.ts as its own process and waits for its JSON line. */
export async function startGitServerProcess(): Promise<GitServerProcess> {
  const entry = fileURLToPath(new URL('./git-server-process.ts', import.meta.url));
  const child = spawn(process.execPath, [tsx, entry], { stdio: ['pipe', 'pipe', 'inherit'] });
  const ready = await new Promise<{ cloneUrl: string; sha: string }>((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`the git server process exited (${code})`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)) as { cloneUrl: string; sha: string });
    });
  });
  child.removeAllListeners('exit');
  return {
    ...ready,
    child,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin!.end();
      }),
  };
}

/** A process's resident set now and at its peak, from /proc (Linux), in MB. */
export function processMemoryMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** CPU time a process has used so far (user + system), in seconds, from /proc (Linux, 100 Hz ticks). */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
