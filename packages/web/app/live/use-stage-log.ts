import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api/client';
import { openEventStream } from '../api/event-stream';
import type { LogChunk, LogLine, StageName } from '../api/types';

/** Lines are kept in blocks of this many: finished blocks never change, so they never re-render. */
export const blockSize = 500;

export interface StageLog {
  blocks: ReadonlyArray<readonly LogLine[]>;
  count: number;
  droppedBytes: number;
  /** The log is complete (the stage ended and its output is all here). */
  done: boolean;
  streaming: boolean;
  error: string | undefined;
}

const empty: StageLog = {
  blocks: [],
  count: 0,
  droppedBytes: 0,
  done: false,
  streaming: false,
  error: undefined,
};

function append(blocks: Array<readonly LogLine[]>, lines: readonly LogLine[]): void {
  let i = 0;
  while (i < lines.length) {
    const last = blocks.at(-1);
    if (last === undefined || last.length >= blockSize) {
      blocks.push(lines.slice(i, i + blockSize));
      i += blockSize;
    } else {
      const room = blockSize - last.length;
      blocks[blocks.length - 1] = [...last, ...lines.slice(i, i + room)];
      i += room;
    }
  }
}

/** The log's API path: the stage's, or with `job` a named test job's own (`?job=`). */
export function stageLogPath(pipelineId: string, stage: StageName, job?: string): string {
  const path = `/pipelines/${encodeURIComponent(pipelineId)}/stages/${stage}/log`;
  return job === undefined ? `${path}?` : `${path}?job=${encodeURIComponent(job)}&`;
}

/**
 * A stage's log (or a named test job's): the stored pages of an ended stage, or the live stream
 * (SSE) of a running one, which the server resumes after a reconnect. Updates are batched to one
 * render per frame. `mode` is `off` for a stage that has not started.
 */
export function useStageLog(
  pipelineId: string,
  stage: StageName,
  mode: 'off' | 'pages' | 'live',
  job?: string,
): StageLog {
  const [log, setLog] = useState<StageLog>(empty);
  const state = useRef({ blocks: [] as Array<readonly LogLine[]>, count: 0, dropped: 0, done: false });

  useEffect(() => {
    state.current = { blocks: [], count: 0, dropped: 0, done: false };
    setLog(empty);
    if (mode === 'off') return;
    const stop = new AbortController();
    let frame = 0;
    const publish = (extra: Partial<StageLog> = {}) => {
      if (frame !== 0) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        const s = state.current;
        setLog((prev) => ({
          ...prev,
          blocks: [...s.blocks],
          count: s.count,
          droppedBytes: s.dropped,
          done: s.done,
          ...extra,
        }));
      });
    };
    const take = (chunk: Pick<LogChunk, 'lines' | 'droppedBytes'>) => {
      append(state.current.blocks, chunk.lines);
      state.current.count += chunk.lines.length;
      state.current.dropped = chunk.droppedBytes;
    };
    const path = stageLogPath(pipelineId, stage, job);

    if (mode === 'pages') {
      void (async () => {
        let cursor: string | undefined;
        try {
          for (;;) {
            const chunk = await api<LogChunk>(`${path}format=json${cursor ? `&cursor=${cursor}` : ''}`, {
              signal: stop.signal,
            });
            take(chunk);
            cursor = chunk.cursor;
            if (chunk.done || chunk.lines.length === 0) {
              state.current.done = true;
              break;
            }
            publish();
          }
          publish({ streaming: false });
        } catch (err) {
          if (!stop.signal.aborted) setLog((prev) => ({ ...prev, error: (err as Error).message }));
        }
      })();
    } else {
      setLog((prev) => ({ ...prev, streaming: true }));
      openEventStream(
        `${path}format=sse`,
        {
          onEvent(name, data) {
            if (name === 'lines') {
              take(JSON.parse(data) as LogChunk);
              publish();
            } else if (name === 'end') {
              state.current.done = true;
              publish({ streaming: false });
              return 'close';
            }
            return undefined;
          },
          onFatal: (err) => setLog((prev) => ({ ...prev, streaming: false, error: err.message })),
        },
        stop.signal,
      );
    }
    return () => {
      stop.abort();
      if (frame !== 0) cancelAnimationFrame(frame);
    };
  }, [pipelineId, stage, mode, job]);
  return log;
}
