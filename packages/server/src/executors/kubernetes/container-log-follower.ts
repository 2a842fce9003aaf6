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
 *
 * The log is known whole only from a read that began after the container had ended: a followed
 * stream may end as the container ends before all it wrote was sent (the kubelet's waitLogs stops
 * following once the container is not running; Docker 20.10's follow ended a 100 MB log after 3–12 MB
 * when the container exited, cleanly, while the file held all of it). So a stream that began while
 * the container ran is followed by one more read from the newest timestamp when it ends.
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
        // Whatever this read returns is the whole rest of the log once the container has ended.
        const endedBefore = state.terminated(container);
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
          if (endedBefore) return;
          // A followed log ends when the container does; the watch may tell a moment later.
          const ended = await state.until(
            () => state.terminated(container) || state.gone,
            signal,
            this.options.settleMs ?? 2000,
          );
          if (state.gone) return;
          logger.debug(
            { pod, container },
            ended
              ? 'log stream ended as the container did: reading the rest once more'
              : 'log stream ended while the container runs: reconnecting',
          );
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
