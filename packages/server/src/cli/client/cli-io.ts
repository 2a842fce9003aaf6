/** What a client command reads and writes: the process's in tests and in use alike. */
export interface CliIo {
  env: Readonly<Record<string, string | undefined>>;
  out: NodeJS.WritableStream & { isTTY?: boolean };
  err: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  /** Aborted on Ctrl-C: followers stop and the command exits. */
  signal: AbortSignal;
}

export function processIo(signal: AbortSignal): CliIo {
  return { env: process.env, out: process.stdout, err: process.stderr, stdin: process.stdin, signal };
}
