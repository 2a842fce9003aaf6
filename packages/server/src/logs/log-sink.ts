/** Which stream a chunk of runner output came from; `system` is the executor's own line. */
export type LogStream = 'stdout' | 'stderr' | 'system';

/** Where a runner's output goes: chunks as they come, in order per stream. */
export interface LogSink {
  write(stream: LogStream, chunk: string): void;
}
