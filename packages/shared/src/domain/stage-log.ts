/** A stage's log as it is stored and served (`GET …/stages/:stage/log`): the server and the dashboard share it. */

/** One line of a stage log: when it arrived, from which stream, its text (no newline). */
export interface LogLine {
  /** Position in the stage log, increasing (gaps where the middle was dropped). */
  n: number;
  /** Milliseconds since the epoch when the line was complete. */
  t: number;
  /** stdout, stderr, or Ferry itself. */
  s: 'o' | 'e' | 's';
  x: string;
}

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
