import { StringDecoder } from 'node:string_decoder';
import type Docker from 'dockerode';
import type { LogSink } from '../executor.js';
import { LogDemuxer } from './log-demux.js';

/** Bytes of each stream already given to a sink, so a tail that resumes skips them. */
export interface LogPosition {
  stdout: number;
  stderr: number;
}

/**
 * Follows a started container's log (Docker's json-file, from its first byte) into `sink`,
 * demultiplexed into stdout and stderr, chunk by chunk: nothing is held beyond one frame. Ends
 * when the container has exited and its log is read (true) or when `signal` aborts (false).
 */
export async function followContainerLogs(
  container: Docker.Container,
  sink: LogSink,
  position: LogPosition,
  signal: AbortSignal,
): Promise<boolean> {
  if (signal.aborted) return false;
  const request = new AbortController();
  const stop = () => request.abort();
  signal.addEventListener('abort', stop, { once: true });
  let stream: NodeJS.ReadableStream | undefined;
  try {
    stream = (await container.logs({
      follow: true,
      stdout: true,
      stderr: true,
      abortSignal: request.signal,
    })) as unknown as NodeJS.ReadableStream;
    const demuxer = new LogDemuxer();
    const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
    const skip = { ...position };
    for await (const chunk of stream) {
      for (const frame of demuxer.push(chunk as Buffer)) {
        let payload = frame.payload;
        if (skip[frame.stream] > 0) {
          const skipped = Math.min(skip[frame.stream], payload.length);
          skip[frame.stream] -= skipped;
          payload = payload.subarray(skipped);
          if (payload.length === 0) continue;
        }
        position[frame.stream] += payload.length;
        const text = decoders[frame.stream].write(payload);
        if (text !== '') sink.write(frame.stream, text);
      }
    }
    for (const name of ['stdout', 'stderr'] as const) {
      const rest = decoders[name].end();
      if (rest !== '') sink.write(name, rest);
    }
    return !signal.aborted;
  } catch (err) {
    if (signal.aborted) return false;
    throw err;
  } finally {
    signal.removeEventListener('abort', stop);
    request.abort();
    (stream as { destroy?: () => void } | undefined)?.destroy?.();
  }
}
