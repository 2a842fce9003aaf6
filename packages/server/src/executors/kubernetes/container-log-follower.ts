import type { LogSink } from '../executor.js';
import { sleep } from './abort.js';
import { describeFailure, isNotFound } from './api-errors.js';
import type { ExecutorLogger } from './executor-logger.js';
import { TimestampedLogDecoder } from './log-lines.js';
import type { PodLogQuery, PodLogStream } from './log-request.js';

/** What the follower needs to know about the container while it reads (the pod tracker). */
export interface ContainerState {
  terminated(container: string): boolean;
  readonly gone: boolean;
  until(predicate: () => boolean, signal: AbortSignal, timeoutMs?: number): Promise<boolean>;
}

export type OpenPodLog = (query: PodLogQuery, signal: AbortSignal) => Promise<PodLogStream>;

export interface ContainerLogFollowerOptions {
  namespace: string;
  pod: string;
  open: OpenPodLog;
  state: ContainerState;
  logger: ExecutorLogger;
  /** How long to wait for the watch to report the container ended after its log ended. */
  settleMs?: number;
}

/**
 * Follows one container's log into the sink until the container has ended and its log is read
 * to the end. When the stream is cut (or the server ends it while the container still runs) it
 * reconnects with `sinceTime` a little before the newest timestamp seen (`timestamps=true`) and
 * skips the lines it already wrote (TimestampedLogDecoder). Kubernetes merges stdout and stderr
 * into one log: all of it is `stdout`.
 */
export class ContainerLogFollower {
  constructor(private readonly options: ContainerLogFollowerOptions) {}

  async follow(container: string, sink: LogSink, signal: AbortSignal): Promise<void> {
    const { namespace, pod, open, state, logger } = this.options;
    const decoder = new TimestampedLogDecoder();
    let failures = 0;
    try {
      for (;;) {
        if (signal.aborted) return;
        decoder.beginConnection();
        let complete = false;
        let stream: PodLogStream | undefined;
        try {
          stream = await open(
            {
              namespace,
              pod,
              container,
              follow: true,
              timestamps: true,
              ...(decoder.sinceTime === undefined ? {} : { sinceTime: decoder.sinceTime }),
            },
            signal,
          );
          for await (const chunk of stream.body) {
            const text = decoder.push(chunk);
            if (text.length > 0) sink.write('stdout', text);
            failures = 0;
          }
          complete = stream.complete();
        } catch (err) {
          if (signal.aborted) return;
          // The pod is gone: there is no log left to read.
          if (isNotFound(err)) return;
          logger.debug({ pod, container, err: describeFailure(err) }, 'log stream failed');
        } finally {
          stream?.close();
        }
        if (state.gone) return;
        if (complete) {
          // A followed log ends when the container does; the watch may tell a moment later.
          const ended = await state.until(
            () => state.terminated(container) || state.gone,
            signal,
            this.options.settleMs ?? 2000,
          );
          if (ended) return;
          logger.debug({ pod, container }, 'log stream ended while the container runs: reconnecting');
        } else {
          failures += 1;
          logger.debug({ pod, container, failures }, 'log stream cut: reconnecting from the last timestamp');
          await sleep(Math.min(2000, 50 * 2 ** failures), signal);
        }
      }
    } catch (err) {
      if (!signal.aborted) throw err;
    } finally {
      const rest = decoder.end();
      if (rest.length > 0) sink.write('stdout', rest);
    }
  }
}
