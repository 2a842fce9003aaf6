import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { LogSink, LogStream } from '../executor.js';
import { RunnerOutput } from '../runner-output.js';

interface ProcessOutput {
  kind: 'process';
  stdout: Readable;
  stderr: Readable;
  decoders: { stdout: StringDecoder; stderr: StringDecoder };
}
/**
 * The output of one local runner, in order: its processes' pipes (clone, then script) and the
 * executor's own lines. Pipes are read only while a tail is attached, straight into its sink:
 * nothing is held in memory, and a process that writes with nobody tailing waits on its pipe.
 */
export class LocalOutput extends RunnerOutput<ProcessOutput> {
  constructor() {
    super(pump);
  }

  process(stdout: Readable, stderr: Readable): void {
    // A file that cannot be read any more (its runner destroyed by another Ferry) ends that
    // stream with a line in the log; it never takes the process down.
    for (const [stream, name] of [
      [stdout, 'stdout'],
      [stderr, 'stderr'],
    ] as const)
      stream.on('error', (err) =>
        this.system(`ferry: the runner's ${name} could not be read: ${err.message}`),
      );
    this.push({
      kind: 'process',
      stdout,
      stderr,
      decoders: { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') },
    });
  }
}

/** Reads both pipes into the sink until both end (true) or the signal aborts (false, paused). */
function pump(item: ProcessOutput, sink: LogSink, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const streams = [
      [item.stdout, 'stdout', item.decoders.stdout],
      [item.stderr, 'stderr', item.decoders.stderr],
    ] as const;
    const cleanups: Array<() => void> = [];
    let open = 0;
    const finish = (complete: boolean) => {
      for (const cleanup of cleanups) cleanup();
      signal.removeEventListener('abort', onAbort);
      resolve(complete);
    };
    const onAbort = () => finish(false);
    for (const [stream, name, decoder] of streams) {
      if (stream.readableEnded || stream.destroyed) {
        flush(decoder, name, sink);
        continue;
      }
      open += 1;
      const onData = (chunk: Buffer) => {
        const text = decoder.write(chunk);
        if (text !== '') sink.write(name, text);
      };
      const onEnd = () => {
        flush(decoder, name, sink);
        cleanup();
        open -= 1;
        if (open === 0) finish(true);
      };
      const cleanup = () => {
        stream.off('data', onData).off('end', onEnd).off('close', onEnd);
        if (!stream.readableEnded) stream.pause();
      };
      cleanups.push(cleanup);
      stream.on('data', onData).once('end', onEnd).once('close', onEnd);
      stream.resume();
    }
    if (open === 0) return finish(true);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function flush(decoder: StringDecoder, stream: LogStream, sink: LogSink): void {
  const rest = decoder.end();
  if (rest !== '') sink.write(stream, rest);
}
