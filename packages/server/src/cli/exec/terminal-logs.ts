import { stripVTControlCharacters } from 'node:util';
import type { LogStream } from '../../logs/log-sink.js';
import type { LogStore, StageLogWriter } from '../../logs/log-store.js';

/** Where the lines go: a terminal keeps colours, a file or a pipe gets them stripped. */
export interface TerminalOut {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * The stage logs of `ferry exec`, printed as they come instead of stored: each log's lines whole
 * (a line split across chunks is held until its end), prefixed with the job's name (`unit | `)
 * when the stage runs several jobs, so parallel jobs stay readable. Pure apart from `out`.
 */
export class TerminalLogs implements Pick<LogStore, 'writer'> {
  readonly #out: TerminalOut;
  readonly #prefixed: boolean;
  readonly #width: number;

  /** `jobs`: the names of the jobs that run (prefixes are padded to the longest). */
  constructor(out: TerminalOut, jobs: readonly string[]) {
    this.#out = out;
    this.#prefixed = jobs.length > 1;
    this.#width = Math.max(0, ...jobs.map((j) => j.length));
  }

  writer(_pipelineId: string, key: string): StageLogWriter {
    // `test` is the stage's own log (the jobs summary); `test:<job>` a job's.
    const job = key.includes(':') ? key.slice(key.indexOf(':') + 1) : undefined;
    const prefix = !this.#prefixed ? '' : `${(job ?? 'ferry').padEnd(this.#width)} | `;
    const partial: Record<LogStream, string> = { stdout: '', stderr: '', system: '' };
    const print = (line: string) => {
      const text = this.#out.isTTY === true ? line : stripVTControlCharacters(line);
      this.#out.write(`${prefix}${text}\n`);
    };
    const write = (stream: LogStream, chunk: string) => {
      const lines = (partial[stream] + chunk).split('\n');
      partial[stream] = lines.pop() ?? '';
      for (const line of lines) print(line.replace(/\r$/, ''));
    };
    return {
      write,
      system: (text) => {
        for (const line of text.split('\n')) print(line);
      },
      close: async () => {
        for (const stream of ['stdout', 'stderr', 'system'] as const) {
          if (partial[stream] !== '') print(partial[stream]);
          partial[stream] = '';
        }
      },
    };
  }
}
