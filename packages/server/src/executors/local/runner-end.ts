import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { LogSink, LogStream, StageResult } from '../executor.js';

/** The two process groups of a local runner, in the order they run. */
export type Phase = 'clone' | 'script';
const phases: readonly Phase[] = ['clone', 'script'];

/** Where a phase's output goes (files in the runner's directory). Pure. */
export function phaseFiles(root: string, phase: Phase): Record<'stdout' | 'stderr', string> {
  return { stdout: join(root, `${phase}.out`), stderr: join(root, `${phase}.err`) };
}

/** The script's exit code, written by `exitRecorder` when the script ends. Pure. */
export function exitFile(root: string): string {
  return join(root, 'end', 'exit');
}

/**
 * `argv` run in `cwd` by a shell that writes its exit code to `file` (atomically) when it ends,
 * whoever waits for it or not. A stop (cancel, timeout, destroy) kills the whole group, this shell
 * with it, so a stopped stage leaves no exit code: only a script that ran to its end has one.
 *
 * The shell first waits for a line on its stdin (`startLine`), which Ferry writes once the group
 * is recorded in the runner's state (and the workspace is ready): a group nobody could find and
 * kill never runs the script. When Ferry dies (or gives the runner up) before that, stdin ends and
 * the shell exits at once, without an exit code (the runner never started). It enters `cwd` only
 * after its gate, so it can be started while the workspace is still being cloned and before it
 * belongs to the stage user. Pure.
 */
export function exitRecorder(file: string, cwd: string, argv: readonly string[]): string[] {
  const script =
    'IFS= read -r go || exit 125; exec </dev/null; f=$0; cd -- "$1" || exit 126; shift; "$@"; c=$?; printf "%s\\n" "$c" > "$f.tmp" && mv -f "$f.tmp" "$f"; exit "$c"';
  return ['/bin/sh', '-c', script, file, cwd, ...argv];
}

/** What Ferry writes to an `exitRecorder` shell's stdin to let the script start. */
export const startLine = 'go\n';

/** The recorded exit code, or undefined when the script never ended (or never started). */
export async function readExitCode(root: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(exitFile(root), 'utf8');
  } catch {
    return undefined;
  }
  const code = Number(text.trim());
  return Number.isInteger(code) && code >= 0 ? code : undefined;
}

/** How a script with this exit code ended (as LocalRun reports it). Pure. */
export function resultOfExit(code: number): StageResult {
  return code === 0
    ? { status: 'success', exitCode: 0 }
    : { status: 'failed', exitCode: code, reason: `exit code ${code}` };
}

/** Writes a finished runner's recorded output into `sink`: each phase's stdout, then its stderr. */
export async function replayOutput(root: string, sink: LogSink, signal: AbortSignal): Promise<void> {
  for (const phase of phases) {
    const files = phaseFiles(root, phase);
    for (const stream of ['stdout', 'stderr'] as const) await copyFile(files[stream], stream, sink, signal);
  }
}

async function copyFile(path: string, stream: LogStream, sink: LogSink, signal: AbortSignal): Promise<void> {
  const decoder = new StringDecoder('utf8');
  try {
    for await (const chunk of createReadStream(path, { signal })) {
      const text = decoder.write(chunk as Buffer);
      if (text !== '') sink.write(stream, text);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const rest = decoder.end();
  if (rest !== '') sink.write(stream, rest);
}
