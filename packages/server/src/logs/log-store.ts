import type { LogChunk, LogLine } from '@ferry/shared';
import type { LogSink, LogStream } from './log-sink.js';

export type { LogChunk, LogLine };

export const streamCode: Readonly<Record<LogStream, LogLine['s']>> = {
  stdout: 'o',
  stderr: 'e',
  system: 's',
};

export interface StageLogWriter extends LogSink {
  /** A line from Ferry itself (stage started, pod events, why it failed). */
  system(text: string): void;
  /** Writes everything held and marks the log complete. */
  close(): Promise<void>;
}

/**
 * Stage logs: stored per stage with a cap that keeps the head and the tail. Live followers are
 * served by `follow/log-followers.ts` (one Redis reader for all of them), which reads through this.
 */
export interface LogStore {
  writer(pipelineId: string, stage: string): StageLogWriter;
  read(pipelineId: string, stage: string, cursor?: string, limit?: number): Promise<LogChunk>;
}
