import type { LogSink, LogStream } from '../executors/executor.js';

/** One line of a stage log: when it arrived, from which stream, its text (no newline). */
export interface LogLine {
  /** Position in the stage log, increasing (gaps where the middle was dropped). */
  n: number;
  /** Milliseconds since the epoch when the line was complete. */
  t: number;
  s: 'o' | 'e' | 's';
  x: string;
}

export const streamCode: Readonly<Record<LogStream, LogLine['s']>> = {
  stdout: 'o',
  stderr: 'e',
  system: 's',
};

/** The part of a log a reader gets: lines, and where the middle was dropped if it was. */
export interface LogChunk {
  lines: LogLine[];
  /** Pass back to read on after these lines. */
  cursor: string;
  /** The log is complete (the stage ended) and `lines` reach its end. */
  done: boolean;
  /** Bytes dropped from the middle to keep the head and the tail under the cap, if any. */
  droppedBytes: number;
  /** The line number after which the drop happened (the marker goes after it). */
  droppedAfter?: number;
}

export interface StageLogWriter extends LogSink {
  /** A line from Ferry itself (stage started, pod events, why it failed). */
  system(text: string): void;
  /** Writes everything held and marks the log complete. */
  close(): Promise<void>;
}

/** Stage logs: stored per stage with a cap that keeps the head and the tail, and followed live. */
export interface LogStore {
  writer(pipelineId: string, stage: string): StageLogWriter;
  read(pipelineId: string, stage: string, cursor?: string, limit?: number): Promise<LogChunk>;
  /** Yields chunks as lines arrive until the log is complete or `signal` aborts. */
  follow(pipelineId: string, stage: string, signal: AbortSignal, cursor?: string): AsyncIterable<LogChunk>;
}
